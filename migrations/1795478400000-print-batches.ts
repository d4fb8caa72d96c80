import { MigrationInterface, QueryRunner } from 'typeorm';

export class PrintBatches1795478400000 implements MigrationInterface {
  name = 'PrintBatches1795478400000';

  async up(q: QueryRunner): Promise<void> {
    // One print file (≤ 2,000 packs) and its manifest. The files live under STORAGE_DIR.
    await q.query(`
      CREATE TABLE print_batches (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        survey_id     uuid NOT NULL REFERENCES surveys(id),
        step          text NOT NULL CHECK (step IN ('initial', 'reminder_1', 'reminder_2')),
        large_print   boolean NOT NULL DEFAULT false,
        run_id        text NOT NULL,
        batch_number  integer NOT NULL CHECK (batch_number > 0),
        pdf_path      text NOT NULL,
        manifest_path text NOT NULL,
        packs         integer NOT NULL CHECK (packs BETWEEN 1 AND 2000),
        pages         integer NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (run_id, batch_number)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE print_batches');
  }
}
