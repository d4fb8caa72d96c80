import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A second kind of survey: the Under-16 CPES. A survey records its kind (its defaults came from
 * it; the rules themselves stay in its settings). Trusts that are Principal Treatment Centres
 * are marked, as only they take part in the Under-16 survey. Each patient records the
 * questionnaire chosen for them when fieldwork starts (by the child's age then, for surveys
 * with age bands); unset, the survey's own questionnaire applies.
 */
export class SurveyKinds1797979200000 implements MigrationInterface {
  name = 'SurveyKinds1797979200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE surveys ADD COLUMN kind text NOT NULL DEFAULT 'adult' CHECK (kind IN ('adult', 'under16'))`);
    await q.query('ALTER TABLE trusts ADD COLUMN ptc boolean NOT NULL DEFAULT false');
    await q.query(`ALTER TABLE patients ADD COLUMN questionnaire text CHECK (questionnaire ~ '^[a-z0-9][a-z0-9-]{0,60}$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE patients DROP COLUMN questionnaire');
    await q.query('ALTER TABLE trusts DROP COLUMN ptc');
    await q.query('ALTER TABLE surveys DROP COLUMN kind');
  }
}
