import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { JobQueue } from '../src/infra/queues/job-queue';
import { FileStore } from '../src/infra/storage/file-store';
import { ScratchSpace } from '../src/infra/storage/scratch-space';
import { storedText } from './support/stored';
import { INTERRUPTED } from '../src/mailings/email-mailings.service';
import { WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { lockedSurvey, settled } from './support/mailing-survey';
import { patientRow } from './support/sample-files';
import { SmtpSink, SmtpSinkOptions } from './support/smtp-sink';
import { killWorker, PATIENCE_MS, until } from './support/killed-workers';
import { takeTurn, TURN_TIMEOUT_MS } from './support/one-at-a-time';

const root = join(__dirname, '..');
const PATIENTS = 300;

/**
 * Worker processes killed (SIGKILL) in the middle of a step, then one left to finish it. Each
 * kill is placed by what the test sees, never by how long things take: the first while the print
 * file is being written, the second with e-mails in flight once the second worker has taken over
 * the print file the first held. (The first held every e-mail too, ten rows a job: the second
 * is still sending them when it is killed.) (A job taken over from the first kill and abandoned again is
 * test/worker-stalls.spec.ts's case, not a restart's.)
 */
describe('a worker killed in the middle of a step', () => {
  let endTurn: (() => Promise<void>) | undefined;
  let t: TestApp;
  let smtp: SmtpSink;
  // Slow enough that the kills land while e-mails are in flight; slower once the second worker runs.
  const sink: SmtpSinkOptions = { delayMs: 15 };
  const children: ChildProcess[] = [];
  let scratchBefore = new Set<string>();

  /** The worker entry point (`npm run start:worker` without the set-up), as its own process. */
  const worker = () => {
    const child = spawn(process.execPath, [join(root, 'dist/src/worker.js')], {
      cwd: root,
      // Leases short enough for a quick take-over after a kill, long enough that a live worker on a
      // loaded machine (rendering the print file beside its e-mails) never loses its own jobs or
      // times out its SMTP server: that would interrupt e-mails no kill interrupted.
      env: { ...process.env, ...smtp.env(), WORKER_LOCK_SECONDS: '8', MAIL_SEND_TIMEOUT_SECONDS: '10', SMTP_POOL_SIZE: '3' },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  };

  const db = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => t.dataSource.query(sql, params);

  const kill = (child: ChildProcess) => killWorker(child, t.dataSource);
  const sending = async () => (await db<{ id: string }>(`SELECT id::text FROM mailings WHERE channel = 'email' AND status = 'sending'`)).map((r) => r.id);
  /** Jobs a killed worker held: still active in Redis until a live worker finds them stalled. */
  const heldJobs = async () => {
    const jobs = t.app.get(JobQueue);
    return [...await jobs.queue('postal').getActive(), ...await jobs.queue('email').getActive()];
  };

  beforeAll(async () => {
    endTurn = await takeTurn();
    t = await startApp();
    smtp = await new SmtpSink(sink).start();
  }, TURN_TIMEOUT_MS);
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await smtp.stop();
    // What this spec wrote into the Jest worker's storage folder: the print file, and what the kills left.
    await t.app.get(FileStore).deletePrefix('print/CPES-2026/');
    const tmpDir = t.app.get(ScratchSpace).dir;
    for (const name of existsSync(tmpDir) ? readdirSync(tmpDir) : []) if (!scratchBefore.has(name)) rmSync(join(tmpDir, name), { force: true });
    await t.app.close();
  });
  // Declared after the clean-up, so it runs after it (and even when the clean-up failed).
  afterAll(async () => endTurn?.());

  it('finishes after a restart with every letter printed once and no e-mail sent twice', async () => {
    const patients = await lockedSurvey(t, Array.from({ length: PATIENTS }, (_, i) =>
      patientRow(i + 1, { email: `crash${i + 1}@example.invalid`, postcode: `LS${(i % 9) + 1} ${(i % 7) + 1}AB` })));
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true }); // no other spec's jobs
    const tmpDir = t.app.get(ScratchSpace).dir;
    // Scratch files other specs left are not this render's.
    scratchBefore = new Set(existsSync(tmpDir) ? readdirSync(tmpDir) : []);
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');

    // First kill: while the print file is being written (its temporary PDF has content).
    const writing = () => existsSync(tmpDir) && readdirSync(tmpDir).some((name) =>
      /^batch-001-.*\.pdf$/.test(name) && !scratchBefore.has(name) && (statSync(join(tmpDir, name), { throwIfNoEntry: false })?.size ?? 0) > 0);
    const first = worker();
    await until('the first worker to write the print file', writing);
    await kill(first);
    const [{ printed }] = await db<{ printed: number }>(`SELECT count(*)::int AS printed FROM print_batches WHERE status = 'printed'`);
    expect(printed).toBe(0);
    const inFlightAtFirstKill = await sending();
    expect(inFlightAtFirstKill.length).toBeLessThanOrEqual(3); // at most one per pooled connection
    const heldByFirst = (await heldJobs()).map((j) => `${j.queueName}:${j.id}`);
    expect(heldByFirst).toContain(`postal:print-${(await db<{ id: string }>('SELECT id::text FROM print_batches'))[0].id}`);

    // Second kill: with e-mails in flight, once the second worker has finished the print job the first held.
    // ~3 e-mails a second on three connections: the take-over (a lease to run out, the print file
    // to render) can take half a minute on a loaded machine, and at 300 ms all 300 had gone by then.
    sink.delayMs = 1000;
    const second = worker();
    const jobs = t.app.get(JobQueue);
    const takenOver = async () => {
      for (const key of heldByFirst.filter((k) => k.startsWith('postal:'))) {
        const [queue, id] = key.split(':');
        const state = await jobs.queue(queue as 'postal' | 'email').getJobState(id);
        if (state === 'failed') throw new Error(`${key} failed after the first kill`);
        if (state !== 'completed' && state !== 'unknown') return false; // finished jobs of these queues are not kept
      }
      return true;
    };
    await until('the second worker to take over what the first held', takenOver, 100);
    const receivedBefore = smtp.received.length;
    await until('e-mails in flight on the second worker', async () => smtp.received.length > receivedBefore && (await sending()).length > 0);
    await kill(second);
    expect(smtp.received.length).toBeLessThan(PATIENTS); // killed mid-step, not after it
    const inFlightAtSecondKill = (await sending()).filter((id) => !inFlightAtFirstKill.includes(id));
    expect(inFlightAtSecondKill.length).toBeGreaterThanOrEqual(1);
    expect(inFlightAtSecondKill.length).toBeLessThanOrEqual(3);

    sink.delayMs = 15;
    worker();
    const progress = await settled(t, 'initial', PATIENCE_MS);

    // Post: exactly one print file with every patient in it, once.
    expect(progress.channels.postal).toMatchObject({ planned: PATIENTS, sent: PATIENTS, failed: 0, waiting: 0 });
    const [file] = await db<{ manifest_path: string }>(`SELECT manifest_path, packs FROM print_batches WHERE status = 'printed'`);
    const manifest = (await storedText(t.app, file.manifest_path)).trim().split('\r\n').slice(1);
    const references = manifest.map((l) => l.split(',')[1]);
    expect(new Set(references).size).toBe(PATIENTS);
    expect(references.sort()).toEqual(patients.map((p) => p.reference).sort());

    // E-mail: nobody twice; every row final; exactly what the kills interrupted is failed for a person to check.
    const perAddress = new Map<string, number>();
    for (const r of smtp.received) perAddress.set(r.to, (perAddress.get(r.to) ?? 0) + 1);
    expect([...perAddress.values()].every((n) => n === 1)).toBe(true);
    const rows: { id: string; status: string; error: string | null; message_id: string | null; email: string }[] = await db(
      `SELECT m.id::text, m.status, m.error, m.message_id, p.email FROM mailings m JOIN patients p ON p.id = m.patient_id WHERE m.channel = 'email'`);
    const sent = rows.filter((r) => r.status === 'sent');
    const interrupted = rows.filter((r) => r.status === 'failed');
    expect(sent.length + interrupted.length).toBe(PATIENTS);
    expect(interrupted.map((r) => r.id).sort()).toEqual([...inFlightAtFirstKill, ...inFlightAtSecondKill].sort());
    expect(interrupted.every((r) => r.error === INTERRUPTED)).toBe(true);
    const received = new Set(smtp.received.map((r) => r.messageId));
    expect(sent.every((r) => received.has(r.message_id!))).toBe(true);
    // Every e-mail the server took belongs to a row recorded as sent or flagged for checking.
    const accounted = new Set([...sent, ...interrupted].map((r) => r.email));
    expect(smtp.received.every((r) => accounted.has(r.to))).toBe(true);
  }, 300_000);
});
