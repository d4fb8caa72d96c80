import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { lockedSurvey, settled } from './support/mailing-survey';
import { patientRow } from './support/sample-files';
import { SmtpSink } from './support/smtp-sink';

const root = join(__dirname, '..');
const PATIENTS = 200;
const GRACE_SECONDS = 20;

describe('a worker stopped with SIGTERM in the middle of a wave', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let output = '';
  const children: ChildProcess[] = [];

  const worker = () => {
    const child = spawn(process.execPath, [join(root, 'dist/src/worker.js')], {
      cwd: root,
      env: { ...process.env, ...smtp.env(), SMTP_POOL_SIZE: '3', SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS), LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    t = await startApp();
    // Slow enough that e-mails are in flight and many jobs wait for a connection when the signal comes.
    smtp = await new SmtpSink({ delayMs: 20 }).start();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await smtp.stop();
    await t.app.close();
  });

  it('exits 0 within the grace leaving nothing "sending", and a restarted worker e-mails the rest once each', async () => {
    await lockedSurvey(t, Array.from({ length: PATIENTS }, (_, i) => patientRow(i + 1, { email: `stop${i + 1}@example.invalid` })));
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');

    const first = worker();
    for (const until = Date.now() + 60_000; smtp.received.length < 20;) {
      if (Date.now() > until) throw new Error(`the worker never started sending:\n${output}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const signalledAt = Date.now();
    first.kill('SIGTERM');
    const [code, signal] = await once(first, 'exit');
    const stoppedIn = Date.now() - signalledAt;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stoppedIn).toBeLessThan(GRACE_SECONDS * 1000);

    const count = async (status: string) => (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM mailings WHERE channel = 'email' AND status = $1`, [status]))[0].n as number;
    expect(await count('sending')).toBe(0);
    expect(await count('failed')).toBe(0); // nothing interrupted: what was claimed was sent and recorded
    const sentBeforeStop = await count('sent');
    expect(sentBeforeStop).toBe(smtp.received.length); // every e-mail the server took is recorded
    expect(await count('pending')).toBeGreaterThan(0); // stopped mid-wave, not after it
    expect(output).toContain('Stopped cleanly');

    worker();
    const progress = await settled(t, 'initial', 90_000);
    expect(progress.channels.email).toMatchObject({ planned: PATIENTS, sent: PATIENTS, failed: 0, waiting: 0 });
    const perAddress = new Map<string, number>();
    for (const r of smtp.received) perAddress.set(r.to, (perAddress.get(r.to) ?? 0) + 1);
    expect(perAddress.size).toBe(PATIENTS);
    expect([...perAddress.values()].every((n) => n === 1)).toBe(true);
  }, 180_000);

  it('stops `npm start` (the service and the workers in one process) the same way, mid-wave and mid-request', async () => {
    await lockedSurvey(t, Array.from({ length: 60 }, (_, i) => patientRow(i + 1, { email: `local${i + 1}@example.invalid` })));
    smtp.received.length = 0;
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    output = '';
    const both = spawn(process.execPath, [join(root, 'dist/src/local.js')], {
      cwd: root,
      env: { ...process.env, ...smtp.env(), PORT: String(port), SMTP_POOL_SIZE: '2', SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS), LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    both.stdout!.on('data', (d) => (output += d));
    both.stderr!.on('data', (d) => (output += d));
    children.push(both);
    for (const until = Date.now() + 60_000; smtp.received.length < 5 || !output.includes('HTTP service listening');) {
      if (Date.now() > until || both.exitCode !== null) throw new Error(`the process never got going:\n${output}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    // A request in flight when the signal comes is answered before the process ends.
    const inFlight = fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status);
    await new Promise((r) => setTimeout(r, 5));
    both.kill('SIGTERM');
    const [code, signal] = await once(both, 'exit');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(await inFlight).toBe(200);
    const [{ sending, sent }] = await t.dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'sending')::int AS sending, count(*) FILTER (WHERE status = 'sent')::int AS sent
         FROM mailings WHERE channel = 'email'`);
    expect(sending).toBe(0);
    expect(sent).toBe(smtp.received.length);
    expect(output).toContain('Stopped cleanly');
  }, 120_000);
});
