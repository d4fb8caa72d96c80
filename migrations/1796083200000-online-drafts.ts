import { MigrationInterface, QueryRunner } from 'typeorm';

/** The online questionnaire: answers saved as the patient goes (save and come back), and failed code attempts per address. */
export class OnlineDrafts1796083200000 implements MigrationInterface {
  name = 'OnlineDrafts1796083200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE response_drafts (
        patient_id bigint PRIMARY KEY REFERENCES patients(id),
        answers    jsonb NOT NULL DEFAULT '{}',
        position   integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE TABLE access_code_failures (ip text NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
    await q.query('CREATE INDEX access_code_failures_ip ON access_code_failures (ip, at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE access_code_failures');
    await q.query('DROP TABLE response_drafts');
  }
}
