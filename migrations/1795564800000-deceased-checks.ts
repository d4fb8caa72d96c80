import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeceasedChecks1795564800000 implements MigrationInterface {
  name = 'DeceasedChecks1795564800000';

  async up(q: QueryRunner): Promise<void> {
    // Each imported trace response: its time is the survey's latest deceased check, which a
    // mailing launch must find fresh enough.
    await q.query(`
      CREATE TABLE deceased_checks (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        survey_id   uuid NOT NULL REFERENCES surveys(id),
        file_name   text NOT NULL,
        rows_read   integer NOT NULL,
        deaths      integer NOT NULL,
        new_deaths  integer NOT NULL,
        matched     integer NOT NULL,
        imported_by text NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX deceased_checks_latest ON deceased_checks (survey_id, imported_at DESC)`);
    await q.query(`ALTER TABLE survey_deaths ADD COLUMN deceased_check_id uuid REFERENCES deceased_checks(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE survey_deaths DROP COLUMN deceased_check_id');
    await q.query('DROP TABLE deceased_checks');
  }
}
