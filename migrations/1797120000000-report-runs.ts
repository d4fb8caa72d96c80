import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run of every local report of a survey (results:reports): one item per report, rendered by
 * whichever worker takes its job. The items are the record of the run: the command reads its
 * progress from them and copies each finished file from storage; a worker that dies leaves its
 * item for the job's retry.
 */
export class ReportRuns1797120000000 implements MigrationInterface {
  name = 'ReportRuns1797120000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE report_runs (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        survey_id  uuid NOT NULL REFERENCES surveys(id),
        format     text NOT NULL CHECK (format IN ('pdf', 'xlsx')),
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE report_run_items (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id      uuid NOT NULL REFERENCES report_runs(id) ON DELETE CASCADE,
        level       text NOT NULL CHECK (level IN ('national', 'trust', 'icb', 'alliance')),
        code        text,
        status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
        file_path   text,
        error       text,
        -- host:pid of the worker process that wrote the file: shows how a run was shared.
        rendered_by text,
        finished_at timestamptz,
        CHECK ((level = 'national') = (code IS NULL)),
        CHECK (status <> 'done' OR file_path IS NOT NULL)
      )`);
    await q.query('CREATE INDEX report_run_items_run ON report_run_items (run_id, status)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE report_run_items');
    await q.query('DROP TABLE report_runs');
  }
}
