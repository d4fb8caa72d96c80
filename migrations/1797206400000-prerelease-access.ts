import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The pre-release access list of each survey (Official Statistics): the people who may see its
 * results before publication. A person is a user, so their access ends when the account is
 * disabled and they are named in the audit trail by the same e-mail. The service's role gets
 * its rights from the default privileges of LeastPrivilege1796260000000.
 */
export class PrereleaseAccess1797206400000 implements MigrationInterface {
  name = 'PrereleaseAccess1797206400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE results_prerelease (
        survey_id uuid NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
        user_id   uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        added_by  text NOT NULL,
        added_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (survey_id, user_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE results_prerelease');
  }
}
