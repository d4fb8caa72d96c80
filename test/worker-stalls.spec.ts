import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { JobQueue } from '../src/infra/queues/job-queue';
import { FileStore } from '../src/infra/storage/file-store';
import { ScratchSpace } from '../src/infra/storage/scratch-space';
import { WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { lockedSurvey, settled } from './support/mailing-survey';
import { patientRow } from './support/sample-files';
import { storedText } from './support/stored';
import { killWorker, PATIENCE_MS, until } from './support/killed-workers';
import { takeTurn, TURN_TIMEOUT_MS } from './support/one-at-a-time';

const root = join(__dirname, '..');
const PATIENTS = 300;
const METRICS_TOKEN = 'stalls-metrics-token-0123456789';

const freePort = () => new Promise<number>((resolve, reject) => {
  const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

/**
 * The print job of a step abandoned twice: two worker processes killed (SIGKILL) while each is
 * writing its print file, then a third started. BullMQ fails a job unrun once it has stalled more
 * than maxStalledCount times (its own default: 1); WORKER_MAX_STALLS (default 5) sets that.
 */
describe('a job abandoned twice by killed workers', () => {
  let endTurn: (() => Promise<void>) | undefined;
  let t: TestApp;
  const children: ChildProcess[] = [];
  let scratchBefore = new Set<string>();

  const worker = (env: Record<string, string>) => {
    const child = spawn(process.execPath, [join(root, 'dist/src/worker.js')], {
      cwd: root,
      // A short lease so each stall is found quickly; long enough that a live worker rendering on a
      // loaded machine keeps renewing its own.
      env: { ...process.env, WORKER_LOCK_SECONDS: '6', ...env },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  };

  const db = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => t.dataSource.query(sql, params);
  const scratch = () => {
    const dir = t.app.get(ScratchSpace).dir;
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  const kill = (child: ChildProcess) => killWorker(child, t.dataSource);

  /** Starts a worker and kills it once it is writing a print file (a new temporary PDF with content), holding the print job. */
  const abandonPrintJob = async (env: Record<string, string>, printJobId: string) => {
    const before = new Set(scratch());
    const child = worker(env);
    const dir = t.app.get(ScratchSpace).dir;
    await until('a worker to write the print file', () => scratch().some((name) =>
      /^batch-001-.*\.pdf$/.test(name) && !before.has(name) && (statSync(join(dir, name), { throwIfNoEntry: false })?.size ?? 0) > 0));
    await kill(child);
    const active = await t.app.get(JobQueue).queue('postal').getActive();
    expect(active.map((j) => j.id)).toContain(printJobId);
    const [{ printed }] = await db<{ printed: number }>(`SELECT count(*)::int AS printed FROM print_batches WHERE status = 'printed'`);
    expect(printed).toBe(0);
  };

  /** A step of post only (one print file), launched; the print job's id. */
  const launchedPrintStep = async () => {
    const patients = await lockedSurvey(t, Array.from({ length: PATIENTS }, (_, i) =>
      patientRow(i + 1, { postcode: `LS${(i % 9) + 1} ${(i % 7) + 1}AB` })));
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true }); // no other spec's jobs
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    const batches = await db<{ id: string }>('SELECT id::text FROM print_batches');
    expect(batches).toHaveLength(1);
    return { patients, printJobId: `print-${batches[0].id}` };
  };

  const pendingPost = async () => (await db<{ n: number }>(
    `SELECT count(*)::int AS n FROM mailings WHERE channel = 'postal' AND status NOT IN ('sent', 'failed', 'suppressed')`))[0].n;

  beforeAll(async () => {
    endTurn = await takeTurn();
    t = await startApp();
    scratchBefore = new Set(scratch());
  }, TURN_TIMEOUT_MS);
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  afterAll(async () => {
    // What this spec wrote into the Jest worker's storage folder: the print file, and what the kills left.
    await t.app.get(FileStore).deletePrefix('print/CPES-2026/');
    const dir = t.app.get(ScratchSpace).dir;
    for (const name of scratch()) if (!scratchBefore.has(name)) rmSync(join(dir, name), { force: true });
    await t.app.close();
  });
  // Declared after the clean-up, so it runs after it (and even when the clean-up failed).
  afterAll(async () => endTurn?.());

  it('is still finished by a third worker: one print file with every pack once, no row left pending', async () => {
    const { patients, printJobId } = await launchedPrintStep();
    await abandonPrintJob({}, printJobId);
    await abandonPrintJob({}, printJobId); // taken over after the first kill, abandoned a second time

    worker({});
    const progress = await settled(t, 'initial', PATIENCE_MS);
    expect(progress.channels.postal).toMatchObject({ planned: PATIENTS, sent: PATIENTS, failed: 0, waiting: 0 });
    expect(await pendingPost()).toBe(0);
    const files = await db<{ manifest_path: string }>(`SELECT manifest_path FROM print_batches WHERE status = 'printed'`);
    expect(files).toHaveLength(1);
    const references = (await storedText(t.app, files[0].manifest_path)).trim().split('\r\n').slice(1).map((l) => l.split(',')[1]);
    expect(references).toHaveLength(PATIENTS);
    expect(references.sort()).toEqual(patients.map((p) => p.reference).sort());
  }, 300_000);

  it('is failed unrun with WORKER_MAX_STALLS=1 (BullMQ\'s own default), and counted as failed in the jobs metric', async () => {
    const { printJobId } = await launchedPrintStep();
    const env = { WORKER_MAX_STALLS: '1' };
    await abandonPrintJob(env, printJobId);
    await abandonPrintJob(env, printJobId);

    const metricsPort = await freePort();
    worker({ ...env, METRICS_TOKEN, METRICS_PORT: String(metricsPort) });
    const queue = t.app.get(JobQueue).queue('postal');
    await until('the print job to be failed', async () => (await queue.getJobState(printJobId)) === 'failed', 100);
    expect((await queue.getJob(printJobId))?.failedReason).toBe('job stalled more than allowable limit');

    // The worker that failed it counts it (the event follows the move to failed, so poll the scrape).
    const failedCount = async () => {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } }).catch(() => undefined);
      const line = (response?.ok ? await response.text() : '').split('\n')
        .find((l) => l.startsWith('fieldwork_jobs_total{') && l.includes('queue="postal"') && l.includes('outcome="failed"'));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    await until('the failure in the worker\'s jobs metric', async () => (await failedCount()) >= 1, 100);
    expect(await failedCount()).toBe(1);
    // Nothing was printed: the rows wait for wave:reconcile.
    expect(await pendingPost()).toBe(PATIENTS);
    const [{ printed }] = await db<{ printed: number }>(`SELECT count(*)::int AS printed FROM print_batches WHERE status = 'printed'`);
    expect(printed).toBe(0);
  }, 300_000);
});
