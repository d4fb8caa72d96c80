import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUEUE_NAMES } from '../src/infra/queues/job-catalogue';
import { JobQueue } from '../src/infra/queues/job-queue';
import { startApp, TestApp } from './support/app';
import { lockedSurvey } from './support/mailing-survey';
import { S3StandIn } from './support/s3-stand-in';
import { patientRow } from './support/sample-files';
import { SmtpSink } from './support/smtp-sink';
import { TEST_OPERATOR_TOKEN } from './support/test-env';
import { takeTurn, TURN_TIMEOUT_MS } from './support/one-at-a-time';

const root = join(__dirname, '..');
const PATIENTS = Number(process.env.MULTI_MACHINE_PATIENTS ?? 3000);
const WORKERS = 3;
/** The service's PRINT_FILE_PACKS: smaller than the default 2,000 so that the print files are shared between the three workers. */
const PACKS_PER_FILE = 250;
const METRICS_TOKEN = 'multi-machine-metrics-token-0123456789';

const freePort = () => new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

const until = async (what: string, ms: number, check: () => Promise<boolean>) => {
  for (const end = Date.now() + ms; !(await check());) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

/** Page objects in a PDF written by pdfkit (its page dictionaries are not compressed). */
const pageCount = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;

/**
 * Several machines, simulated by processes that share nothing but PostgreSQL, Redis, the SMTP
 * server and one object store: the HTTP service and three worker processes, each with its own
 * STORAGE_DIR, run a wave of a few thousand patients. Whatever machine printed a file, the
 * service serves it.
 */
describe('the HTTP service and three workers on separate machines, one object store', () => {
  let endTurn: (() => Promise<void>) | undefined;
  let s3: S3StandIn;
  let smtp: SmtpSink;
  let t: TestApp;
  const children: ChildProcess[] = [];
  const folders: string[] = [];
  const saved = { ...process.env };
  let service = '';
  const metricsPorts: number[] = [];

  /** A machine: the built entry point as its own process, with its own storage folder. */
  const machine = (entry: string, env: Record<string, string>) => {
    const folder = mkdtempSync(join(tmpdir(), 'fieldwork-machine-'));
    folders.push(folder);
    const child = spawn(process.execPath, [join(root, 'dist/src', entry)], {
      cwd: root, env: { ...process.env, ...s3.env('wave'), STORAGE_DIR: folder, LOG_LEVEL: 'warn', ...env }, stdio: 'ignore',
    });
    children.push(child);
    return child;
  };
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${service}${path}`, { ...init, headers: { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, 'Content-Type': 'application/json' } });

  beforeAll(async () => {
    endTurn = await takeTurn();
    s3 = await new S3StandIn().start();
    smtp = await new SmtpSink().start();
    Object.assign(process.env, s3.env('wave'));
    t = await startApp(); // the test's own view of the database and queues, for set-up and checks
  }, TURN_TIMEOUT_MS);
  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
    process.env = saved;
    await smtp.stop();
    await s3.stop();
    for (const f of folders) rmSync(f, { recursive: true, force: true });
  });
  // Declared after the clean-up, so it runs after it (and even when the clean-up failed).
  afterAll(async () => endTurn?.());

  it(`prints every pack once, sends every e-mail once, and serves every file from any machine (${PATIENTS} patients)`, async () => {
    const patients = await lockedSurvey(t, Array.from({ length: PATIENTS }, (_, i) => patientRow(i + 1, {
      email: `wave${i + 1}@example.invalid`, postcode: `LS${(i % 29) + 1} ${(i % 9) + 1}AB`,
    })));

    const port = await freePort();
    service = `http://127.0.0.1:${port}`;
    machine('main.js', { PORT: String(port), PRINT_FILE_PACKS: String(PACKS_PER_FILE) });
    for (let i = 0; i < WORKERS; i++) {
      metricsPorts.push(await freePort());
      machine('worker.js', { ...smtp.env(), SMTP_POOL_SIZE: '10', METRICS_TOKEN, METRICS_PORT: String(metricsPorts[i]) });
    }
    await until('the HTTP service', 60_000, async () => (await fetch(`${service}/health`).catch(() => null))?.ok ?? false);
    const jobs = t.app.get(JobQueue);
    await until('three workers on every queue', 60_000, async () =>
      (await Promise.all(QUEUE_NAMES.map((q) => jobs.queue(q).getWorkersCount()))).every((n) => n === WORKERS));

    const started = Date.now();
    // Launched as a coordinator would: through the service's route, which plans the print files.
    const launched = await api('/api/surveys/CPES-2026/mailings/initial/launch', { method: 'POST', body: '{}' });
    expect(launched.status).toBe(200);
    expect(await launched.json()).toMatchObject({ added: { postal: PATIENTS, email: PATIENTS } });
    let progress: any;
    await until('the wave to finish', 150_000, async () => {
      progress = (await (await api('/api/surveys/CPES-2026/mailings/initial')).json());
      const c = progress.channels;
      return c.postal.waiting + c.email.waiting + progress.printFiles.planned === 0;
    });
    const seconds = (Date.now() - started) / 1000;

    expect(progress.channels.postal).toMatchObject({ planned: PATIENTS, sent: PATIENTS, failed: 0 });
    expect(progress.channels.email).toMatchObject({ planned: PATIENTS, sent: PATIENTS, failed: 0 });

    // Every e-mail once: one message per patient address, no address twice.
    const perAddress = new Map<string, number>();
    for (const r of smtp.received) perAddress.set(r.to, (perAddress.get(r.to) ?? 0) + 1);
    expect(perAddress.size).toBe(PATIENTS);
    expect([...perAddress.values()].every((n) => n === 1)).toBe(true);

    // Every pack once, read through the service's routes: the manifests name each patient once,
    // and each PDF has the pages its manifest counts.
    const { files } = await (await api('/api/surveys/CPES-2026/print-files')).json() as { files: { id: string; pages: number }[] };
    expect(files).toHaveLength(Math.ceil(PATIENTS / PACKS_PER_FILE));
    const references: string[] = [];
    let pages = 0;
    let bytes = 0;
    for (const file of files) {
      const manifest = await api(`/api/surveys/CPES-2026/print-files/${file.id}/manifest`);
      expect(manifest.status).toBe(200);
      const rows = (await manifest.text()).trim().split('\r\n').slice(1).map((l) => l.split(','));
      references.push(...rows.map((r) => r[1]));
      const pdfAnswer = await api(`/api/surveys/CPES-2026/print-files/${file.id}/pdf`);
      expect(pdfAnswer.status).toBe(200);
      const pdf = Buffer.from(await pdfAnswer.arrayBuffer());
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pageCount(pdf)).toBe(rows.reduce((n, r) => n + Number(r[4]), 0));
      expect(pageCount(pdf)).toBe(file.pages);
      pages += file.pages;
      bytes += pdf.length;
    }
    expect(references).toHaveLength(PATIENTS);
    expect(new Set(references).size).toBe(PATIENTS);
    expect(new Set(references)).toEqual(new Set(patients.map((p) => p.reference)));

    // Each worker did part of the work (its own job counters), and no machine kept a generated file.
    const completed = await Promise.all(metricsPorts.map(async (p) => {
      const text = await (await fetch(`http://127.0.0.1:${p}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      const count = (queue: string) => text.split('\n')
        .filter((l) => l.startsWith('fieldwork_jobs_total{') && l.includes(`queue="${queue}"`) && l.includes('outcome="completed"'))
        .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
      const rss = Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? 0);
      return { postal: count('postal'), email: count('email'), rssMiB: Math.round(rss / 1024 / 1024) };
    }));
    expect(completed.reduce((n, c) => n + c.postal, 0)).toBe(files.length);
    expect(completed.filter((c) => c.postal > 0).length).toBeGreaterThanOrEqual(2);
    expect(completed.filter((c) => c.email > 0).length).toBeGreaterThanOrEqual(2);
    for (const folder of folders) {
      for (const dir of ['print', 'outbox', 'reports', 'staging']) expect([folder, existsSync(join(folder, dir))]).toEqual([folder, false]);
      expect(existsSync(join(folder, 'tmp')) ? readdirSync(join(folder, 'tmp')) : []).toEqual([]);
    }

    // The figures the README quotes for sizing.
    console.log(`multi-machine wave: ${PATIENTS} patients, 1 HTTP service + ${WORKERS} workers, one object store: `
      + `${seconds.toFixed(1)} s from launch to done; ${PATIENTS} packs in ${files.length} print files (${pages} pages, ${(bytes / 1024 / 1024).toFixed(1)} MiB), ${smtp.received.length} e-mails; `
      + `jobs per worker (print files / e-mails): ${completed.map((c) => `${c.postal}/${c.email}`).join(', ')}; `
      + `worker RSS at the end: ${completed.map((c) => `${c.rssMiB} MiB`).join(', ')}`);
  }, 240_000);
});
