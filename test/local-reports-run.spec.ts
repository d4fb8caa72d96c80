import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ReportRunsService } from '../src/local-reports/report-runs.service';
import { startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { pdfPages } from './support/pdf';
import { seedResultsSurvey } from './support/results-survey';

const root = join(__dirname, '..');

/** results:reports with real worker processes (the worker entry point, as `npm run start:worker` runs it). */
describe('every local report of a survey, rendered by workers', () => {
  let t: TestApp;
  const children: ChildProcess[] = [];
  const worker = () => {
    const child = spawn(process.execPath, [join(root, 'dist/src/worker.js')], { cwd: root, env: process.env, stdio: 'ignore' });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    t = await startApp();
    await seedResultsSurvey(t);
  }, 120_000);
  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await t.app.close();
    // This Jest worker's storage folder is shared with later specs (the purge's checks no PDF is left): leave it as found.
    for (const dir of ['no-worker', 'all-reports', 'reports']) rmSync(join(process.env.STORAGE_DIR!, dir), { recursive: true, force: true });
  });

  it('says how to start a worker when none is listening, rather than waiting for ever', async () => {
    const out = join(process.env.STORAGE_DIR!, 'no-worker');
    const run = await cli(['results:reports', '--survey', 'CPES-2026', '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('0 of 5 done');
    expect(run.stderr).toContain('No worker is listening on the reports queue');
    expect(run.stderr).toContain('npm run start:worker');
    expect(run.stderr).toMatch(/--run [0-9a-f-]{36}/);
    const [{ pending }] = await t.dataSource.query(`SELECT count(*)::int AS pending FROM report_run_items WHERE status = 'pending'`);
    expect(pending).toBe(5);
  }, 60_000);

  it('shares the run between two workers and copies every finished file into the folder, with progress', async () => {
    worker();
    worker();
    const runs = t.app.get(ReportRunsService);
    for (const until = Date.now() + 60_000; (await runs.workersListening()) < 2;) {
      if (Date.now() > until) throw new Error('the workers did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const out = join(process.env.STORAGE_DIR!, 'all-reports');
    const run = await cli(['results:reports', '--survey', 'CPES-2026', '--out', out, '--json']);
    expect(run.stderr).toContain('5 of 5 done');
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ survey: 'CPES-2026', format: 'pdf', total: 5, done: 5, failed: 0 });
    const files = ['alliance-E56000099.pdf', 'icb-QWO.pdf', 'national.pdf', 'trust-RAA.pdf', 'trust-RBB.pdf'];
    expect(readdirSync(out).sort()).toEqual(files);
    expect((await pdfPages(readFileSync(join(out, 'trust-RAA.pdf'))))[0]).toContain('Synthetic RAA NHS Trust');
    expect((await pdfPages(readFileSync(join(out, 'national.pdf'))))[0]).toContain('National report');

    // The run left waiting by the first test was rendered by the same workers once they started.
    const perRun: { done: number }[] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE i.status = 'done')::int AS done FROM report_runs r JOIN report_run_items i ON i.run_id = r.id GROUP BY r.id`);
    expect(perRun).toEqual([{ done: 5 }, { done: 5 }]);
    // Both worker processes took a share.
    const [{ processes }] = await t.dataSource.query('SELECT count(DISTINCT rendered_by)::int AS processes FROM report_run_items');
    expect(processes).toBe(2);
  }, 180_000);
});
