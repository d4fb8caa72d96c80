import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ScratchSpace } from '../src/infra/storage/scratch-space';
import { storedText } from './support/stored';
import { INTERRUPTED } from '../src/mailings/email-mailings.service';
import { WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { lockedSurvey, settled } from './support/mailing-survey';
import { patientRow } from './support/sample-files';
import { SmtpSink } from './support/smtp-sink';

const root = join(__dirname, '..');
const PATIENTS = 300;

describe('a worker killed in the middle of a step', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  const children: ChildProcess[] = [];

  /** The worker entry point (`npm run start:worker` without the set-up), as its own process. */
  const worker = () => {
    const child = spawn(process.execPath, [join(root, 'dist/src/worker.js')], {
      cwd: root,
      env: { ...process.env, ...smtp.env(), WORKER_LOCK_SECONDS: '2', MAIL_SEND_TIMEOUT_SECONDS: '2', SMTP_POOL_SIZE: '3' },
      stdio: 'ignore',
    });
    children.push(child);
    return child;
  };

  const killWhen = async (child: ChildProcess, condition: () => boolean) => {
    const until = Date.now() + 60_000; // a worker process's start on a busy machine
    while (!condition()) {
      if (Date.now() > until) throw new Error('the worker never reached the point to kill it at');
      await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  };

  beforeAll(async () => {
    t = await startApp();
    // Slow enough that the kill lands while e-mails are in flight and the print file is half written.
    smtp = await new SmtpSink({ delayMs: 15 }).start();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await smtp.stop();
    await t.app.close();
  });

  it('finishes after a restart with every letter printed once and no e-mail sent twice', async () => {
    const patients = await lockedSurvey(t, Array.from({ length: PATIENTS }, (_, i) =>
      patientRow(i + 1, { email: `crash${i + 1}@example.invalid`, postcode: `LS${(i % 9) + 1} ${(i % 7) + 1}AB` })));
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');

    // First kill: while the print file is being written (its temporary PDF has content).
    const tmpDir = t.app.get(ScratchSpace).dir;
    const writing = () => readdirSync(tmpDir, { withFileTypes: true }).some((f) => /^batch-001-.*\.pdf$/.test(f.name) && statSync(join(tmpDir, f.name)).size > 0);
    await killWhen(worker(), () => existsSync(tmpDir) && writing());
    const [{ printed }] = await t.dataSource.query(`SELECT count(*)::int AS printed FROM print_batches WHERE status = 'printed'`);
    expect(printed).toBe(0);

    // Second kill: with e-mails in flight.
    await killWhen(worker(), () => smtp.received.length >= 30);
    expect(smtp.received.length).toBeLessThan(PATIENTS); // killed mid-step, not after it

    worker();
    const progress = await settled(t, 'initial', 60_000);

    // Post: exactly one print file with every patient in it, once.
    expect(progress.channels.postal).toMatchObject({ planned: PATIENTS, sent: PATIENTS, failed: 0, waiting: 0 });
    const [file] = await t.dataSource.query(`SELECT manifest_path, packs FROM print_batches WHERE status = 'printed'`);
    const manifest = (await storedText(t.app, file.manifest_path)).trim().split('\r\n').slice(1);
    const references = manifest.map((l) => l.split(',')[1]);
    expect(new Set(references).size).toBe(PATIENTS);
    expect(references.sort()).toEqual(patients.map((p) => p.reference).sort());

    // E-mail: nobody twice; every row final; whatever the kill interrupted is failed for a person to check.
    const perAddress = new Map<string, number>();
    for (const r of smtp.received) perAddress.set(r.to, (perAddress.get(r.to) ?? 0) + 1);
    expect([...perAddress.values()].every((n) => n === 1)).toBe(true);
    const rows: { status: string; error: string | null; message_id: string | null; email: string }[] = await t.dataSource.query(
      `SELECT m.status, m.error, m.message_id, p.email FROM mailings m JOIN patients p ON p.id = m.patient_id WHERE m.channel = 'email'`);
    const sent = rows.filter((r) => r.status === 'sent');
    const interrupted = rows.filter((r) => r.status === 'failed');
    expect(sent.length + interrupted.length).toBe(PATIENTS);
    expect(interrupted.length).toBeLessThanOrEqual(3); // at most one per pooled connection in flight
    expect(interrupted.every((r) => r.error === INTERRUPTED)).toBe(true);
    const received = new Set(smtp.received.map((r) => r.messageId));
    expect(sent.every((r) => received.has(r.message_id!))).toBe(true);
    // Every e-mail the server took belongs to a row recorded as sent or flagged for checking.
    const accounted = new Set([...sent, ...interrupted].map((r) => r.email));
    expect(smtp.received.every((r) => accounted.has(r.to))).toBe(true);
  }, 120_000);
});
