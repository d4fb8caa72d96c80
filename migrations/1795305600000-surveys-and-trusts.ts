import { MigrationInterface, QueryRunner } from 'typeorm';

export class SurveysAndTrusts1795305600000 implements MigrationInterface {
  name = 'SurveysAndTrusts1795305600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE surveys (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code         text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$'),
        name         text NOT NULL,
        period_start date NOT NULL,
        period_end   date NOT NULL,
        status       text NOT NULL DEFAULT 'setup'
                     CHECK (status IN ('setup', 'sampling', 'fieldwork', 'closed', 'purged')),
        settings     jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT surveys_period_ordered CHECK (period_start <= period_end)
      )`);
    await q.query(`
      CREATE TABLE trusts (
        code       text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{3,5}$'),
        name       text NOT NULL CHECK (length(trim(name)) > 0),
        icb_code   text CHECK (icb_code ~ '^Q[A-Z0-9]{2}$'),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE trusts');
    await q.query('DROP TABLE surveys');
  }
}
