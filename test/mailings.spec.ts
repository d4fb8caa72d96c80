import type { TestingModule } from '@nestjs/testing';
import { JobQueue } from '../src/infra/queues/job-queue';
import { FileStore } from '../src/infra/storage/file-store';
import { stored, storedText } from './support/stored';
import { EmailMailingsService } from '../src/mailings/email-mailings.service';
import { PrintBatchesService } from '../src/mailings/print-batches.service';
import { WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { ledger, lockedSurvey, SampledPatient, settled, startWorkers, traceDeaths } from './support/mailing-survey';
import { pdfPages } from './support/pdf';
import { patientRow } from './support/sample-files';
import { SmtpSink } from './support/smtp-sink';

const POSTCODES = ['LS2 9JT', 'BD1 1AA', 'HX1 2AB', 'AB1 2CD', 'M1 1AE', 'YO1 7HH'];
/** Six patients; the odd ones have an e-mail address. */
const rows = () => POSTCODES.map((postcode, i) => patientRow(i + 1, {
  postcode, surname: `Synthetic${'ABCDEF'[i]}`, email: i % 2 === 0 ? `patient${i + 1}@example.invalid` : '',
}));

describe('mailing waves: ledger, workers, e-mail and suppression', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let workers: TestingModule | undefined;
  let patients: SampledPatient[];
  const waves = () => t.app.get(WavesService);
  const withEmail = () => patients.filter((p) => p.email);

  beforeAll(async () => {
    t = await startApp();
    smtp = await new SmtpSink().start();
  });
  afterAll(async () => {
    await smtp.stop();
    await t.app.close();
  });
  beforeEach(async () => {
    smtp.received.length = 0;
    patients = await lockedSurvey(t, rows());
  });
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });

  it('writes one ledger row per patient, step and channel, and a second launch adds nothing', async () => {
    const first = await t.http().post('/api/surveys/CPES-2026/mailings/initial/launch').set(t.auth).send({}).expect(200);
    expect(first.body).toMatchObject({
      survey: 'CPES-2026', step: 'initial', alreadyLaunched: false,
      added: { postal: 6, email: 3 }, ledger: { postal: 6, email: 3 }, printFiles: 1, jobsQueued: 4,
    });
    const again = await cli(['wave:launch', '--survey', 'CPES-2026', '--step', 'initial', '--json']);
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({ alreadyLaunched: true, added: { postal: 0, email: 0 }, ledger: { postal: 6, email: 3 }, jobsQueued: 0 });
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM mailings');
    expect(n).toBe(9);
    // The three e-mails wait in one job (a wave's e-mails go several to a job), named by its first and last row.
    const waiting = await t.app.get(JobQueue).queue('email').getJobs(['waiting']);
    const [e1, , e3] = (await t.dataSource.query(`SELECT id::text FROM mailings WHERE channel = 'email' ORDER BY id`)).map((r: { id: string }) => r.id);
    expect(waiting.map((j) => ({ name: j.name, id: j.id, rows: j.data.mailingIds.length }))).toEqual([{ name: 'mailings.send-emails', id: `emails-${e1}-${e3}`, rows: 3 }]);

    const status = await t.http().get('/api/surveys/CPES-2026/mailings/initial').set(t.auth).expect(200);
    expect(status.body).toMatchObject({
      step: 'initial', paused: false,
      channels: { postal: { planned: 6, sent: 0, waiting: 6, failed: 0 }, email: { planned: 3, waiting: 3 } },
      printFiles: { planned: 1, printed: 0 },
    });
  });

  it('refuses to launch without a recent deceased check, saying so', async () => {
    await t.dataSource.query(`UPDATE deceased_checks SET imported_at = now() - interval '8 days'`);
    const res = await t.http().post('/api/surveys/CPES-2026/mailings/initial/launch').set(t.auth).send({}).expect(409);
    expect(res.body.error.message).toMatch(
      /^initial was not launched\. The latest deceased check for this survey was imported on \d{1,2} [A-Z][a-z]+ \d{4}, 8 days ago; the survey allows 7\. Import a fresh trace response \(deaths:import\) before mailing, then launch again\.$/);
    await t.dataSource.query('DELETE FROM deceased_checks');
    const none = await cli(['wave:launch', '--survey', 'CPES-2026', '--step', 'initial', '--json']);
    expect(none.code).toBe(1);
    expect(none.json.error.message).toContain('No deceased check has been imported for this survey');
    expect(await t.dataSource.query('SELECT 1 FROM mailings')).toEqual([]);
    expect(await t.dataSource.query('SELECT 1 FROM mailing_steps')).toEqual([]);
  });

  it('sends each patient their own link and prints their pack, then records everything as sent', async () => {
    workers = await startWorkers(smtp.env());
    await waves().launch('CPES-2026', 'initial', 'test');
    const progress = await settled(t, 'initial');
    expect(progress.channels).toMatchObject({ postal: { sent: 6, waiting: 0, failed: 0 }, email: { sent: 3, waiting: 0, failed: 0 } });

    expect(smtp.received).toHaveLength(3);
    for (const p of withEmail()) {
      const [mail] = smtp.to(p.email!);
      const link = `http://localhost:3000/s/${p.access_code}`;
      expect(mail.parsed.subject).toBe('Your invitation to the National Cancer Patient Experience Survey');
      expect(mail.parsed.text).toContain(link);
      expect(mail.parsed.text).toContain(`Dear Ms ${p.surname},`);
      expect(mail.parsed.text).toContain(p.reference);
      expect(mail.parsed.html).toContain(`<a href="${link}">${link}</a>`);
      expect(mail.parsed.attachments).toEqual([]);
      for (const other of patients.filter((o) => o !== p)) {
        expect(`${mail.parsed.text}${mail.parsed.html}`).not.toContain(other.access_code);
        expect(`${mail.parsed.text}${mail.parsed.html}`).not.toContain(other.reference);
      }
    }

    const run = await t.app.get(PrintBatchesService).print('CPES-2026', 'initial');
    expect(run).toMatchObject({ packs: 6, batches: [expect.objectContaining({ batch: 1, packs: 6 })] });
    const manifest = (await storedText(t.app, run.batches[0].manifest)).trim().split('\r\n').slice(1).map((l) => l.split(','));
    expect(manifest.map((r) => r[3])).toEqual([...POSTCODES].sort());
    const pages = await pdfPages(await stored(t.app, run.batches[0].pdf));
    expect(pages.length).toBe(run.pages);
    expect(pages.join('\n')).toContain(patients[0].access_code);
  });

  it('writes e-mails to the outbox folder instead when no SMTP server is configured', async () => {
    workers = await startWorkers(); // the test environment sets no SMTP_HOST
    await waves().launch('CPES-2026', 'initial', 'test');
    expect((await settled(t, 'initial')).channels.email).toMatchObject({ sent: 3, failed: 0 });
    expect(smtp.received).toEqual([]);
    const store = t.app.get(FileStore);
    const files = (await store.list('outbox/')).map((f) => f.key.slice('outbox/'.length)).filter((f) => f.endsWith('.eml'));
    const ids: { id: string }[] = await t.dataSource.query(`SELECT id::text FROM mailings WHERE channel = 'email'`);
    for (const { id } of ids) expect(files.some((f) => f.startsWith(`_mailing-${id}@`))).toBe(true);
    const [first] = withEmail();
    const emls = await Promise.all(files.map((f) => storedText(t.app, `outbox/${f}`)));
    const eml = emls.find((text) => text.includes(`To: ${first.email}`))!;
    expect(eml).toContain(`http://localhost:3000/s/${first.access_code}`);
    await store.deletePrefix('outbox/');
  });

  it('does not mail a patient reported dead after launch but before the work ran', async () => {
    await waves().launch('CPES-2026', 'initial', 'test'); // queued; no worker yet
    const [dead] = withEmail();
    await traceDeaths(t, [dead.nhs_number]);
    workers = await startWorkers(smtp.env());
    const progress = await settled(t, 'initial');
    expect(progress.channels.postal).toMatchObject({ sent: 5, suppressed: { deceased: 1, total: 1 } });
    expect(progress.channels.email).toMatchObject({ sent: 2, suppressed: { deceased: 1, total: 1 } });
    expect(smtp.to(dead.email!)).toEqual([]);
    const run = await t.app.get(PrintBatchesService).print('CPES-2026', 'initial');
    const manifest = await storedText(t.app, run.batches[0].manifest);
    expect(manifest).not.toContain(dead.reference);
    expect(manifest).toContain(patients[1].reference);
  });

  it('sends once when the same mailing is processed twice, even at the same moment', async () => {
    await waves().launch('CPES-2026', 'initial', 'test');
    // Only this test's calls do the work: the queued jobs go.
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    workers = await startWorkers(smtp.env());
    const worker = workers.get(EmailMailingsService);
    const [{ id }] = await t.dataSource.query(`SELECT id::text FROM mailings WHERE channel = 'email' ORDER BY id LIMIT 1`);
    const outcomes = await Promise.allSettled([worker.send(id), worker.send(id)]);
    const sent = outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'sent');
    expect(sent).toHaveLength(1);
    expect(await worker.send(id)).toBe('already-done');
    expect(smtp.received).toHaveLength(1);

    const printer = workers.get(PrintBatchesService);
    const [{ batch }] = await t.dataSource.query(`SELECT id AS batch FROM print_batches`);
    const printed = await Promise.all([printer.printBatch(batch), printer.printBatch(batch)]);
    expect(printed.sort()).toEqual(['already-printed', 'printed']);
    const [{ sent: lettersSent }] = await t.dataSource.query(`SELECT count(*)::int AS sent FROM mailings WHERE channel = 'postal' AND status = 'sent'`);
    expect(lettersSent).toBe(6);
  });

  it('skips responders and opt-outs at reminder 1, on both channels', async () => {
    workers = await startWorkers(smtp.env());
    await waves().launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
    const [responder, optedOut] = withEmail();
    await t.http().post('/api/surveys/CPES-2026/returns').set(t.auth).send({ reference: responder.reference, type: 'completed' }).expect(200);
    await t.http().post(`/api/surveys/CPES-2026/patients/${optedOut.reference}/contacts`).set(t.auth).send({ type: 'opt_out' }).expect(201);
    smtp.received.length = 0;

    const launch = await cli(['wave:launch', '--survey', 'CPES-2026', '--step', 'reminder_1', '--now', '--json']);
    expect(launch.code).toBe(0);
    const progress = await settled(t, 'reminder_1');
    expect(progress.channels.postal).toMatchObject({ sent: 4, suppressed: { responded: 1, opted_out: 1, total: 2 } });
    expect(progress.channels.email).toMatchObject({ sent: 1, suppressed: { responded: 1, opted_out: 1, total: 2 } });
    expect(smtp.received.map((r) => r.to)).toEqual([withEmail()[2].email]);
    expect(smtp.received[0].parsed.subject).toBe('A reminder: the National Cancer Patient Experience Survey');
    const reminder = await ledger(t, 'reminder_1');
    expect(reminder.filter((r) => r.patient_id === responder.id).map((r) => r.suppression_reason)).toEqual(['responded', 'responded']);
  });

  it('schedules a reminder at the survey offset unless sent now, and needs the initial mailing first', async () => {
    const early = await t.http().post('/api/surveys/CPES-2026/mailings/reminder_1/launch').set(t.auth).send({}).expect(409);
    expect(early.body.error.message).toBe('reminder_1 follows the initial mailing: launch initial in this survey first');
    const initial = await waves().launch('CPES-2026', 'initial', 'test');
    const reminder = await waves().launch('CPES-2026', 'reminder_2', 'test');
    expect(new Date(reminder.scheduledFor).getTime() - new Date(initial.launchedAt).getTime()).toBe(49 * 86_400_000);
    const delayed = await t.app.get(JobQueue).queue('email').getJobs(['delayed']);
    expect(delayed.flatMap((j) => j.data.mailingIds)).toHaveLength(3);
  });

  it('holds a paused step and finishes it on resume', async () => {
    await waves().launch('CPES-2026', 'initial', 'test');
    const paused = await cli(['wave:pause', '--survey', 'CPES-2026', '--step', 'initial', '--reason', 'Printer asked us to wait', '--json']);
    expect(paused.json).toMatchObject({ paused: true, pauseReason: 'Printer asked us to wait' });
    workers = await startWorkers(smtp.env());
    await drained(t);
    expect(smtp.received).toEqual([]);
    expect((await waves().status('CPES-2026', 'initial')).steps[0].channels.email).toMatchObject({ waiting: 3, sent: 0 });

    const resumed = await t.http().post('/api/surveys/CPES-2026/mailings/initial/resume').set(t.auth).expect(200);
    expect(resumed.body).toMatchObject({ paused: false, jobsQueued: 4 });
    const progress = await settled(t, 'initial');
    expect(progress.channels).toMatchObject({ postal: { sent: 6 }, email: { sent: 3 } });
    expect(smtp.received).toHaveLength(3);
  });

  it('pauses a step by itself when its deceased check goes stale, and refuses to resume until a fresh one', async () => {
    await waves().launch('CPES-2026', 'initial', 'test');
    await t.dataSource.query(`UPDATE deceased_checks SET imported_at = now() - interval '10 days'`);
    workers = await startWorkers(smtp.env());
    const until = Date.now() + 10_000;
    while (!(await waves().status('CPES-2026', 'initial')).steps[0].paused && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const [step] = (await waves().status('CPES-2026', 'initial')).steps;
    expect(step).toMatchObject({ paused: true, pausedBy: 'system' });
    expect(step.pauseReason).toContain('10 days ago; the survey allows 7');
    expect(smtp.received).toEqual([]);
    await expect(waves().resume('CPES-2026', 'initial')).rejects.toThrow('initial stays paused. The latest deceased check');
    await traceDeaths(t, []);
    await waves().resume('CPES-2026', 'initial');
    expect((await settled(t, 'initial')).channels.email.sent).toBe(3);
  });

  it('rebuilds lost jobs from the ledger after a Redis loss, without sending twice', async () => {
    await waves().launch('CPES-2026', 'initial', 'test');
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    const reconcile = await cli(['wave:reconcile', '--survey', 'CPES-2026', '--json']);
    expect(reconcile.json).toMatchObject({ checked: { email: 3, postal: 1 }, requeued: { email: 3, postal: 1 }, interrupted: 0 });
    const again = await t.http().post('/api/surveys/CPES-2026/mailings/reconcile').set(t.auth).expect(200);
    expect(again.body).toMatchObject({ requeued: { email: 0, postal: 0 } });
    workers = await startWorkers(smtp.env());
    expect((await settled(t, 'initial')).channels).toMatchObject({ postal: { sent: 6 }, email: { sent: 3 } });
    expect(smtp.received).toHaveLength(3);
    expect((await cli(['wave:reconcile', '--survey', 'CPES-2026', '--json'])).json).toMatchObject({ checked: { email: 0, postal: 0 } });
  });
});

/** Waits until the mailing queues hold nothing waiting or running. */
async function drained(t: TestApp): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    let busy = 0;
    for (const name of ['email', 'postal'] as const) {
      const c = await t.app.get(JobQueue).queue(name).getJobCounts('waiting', 'active', 'delayed');
      busy += c.waiting + c.active + c.delayed;
    }
    if (!busy) return;
    if (Date.now() > until) throw new Error('the mailing queues did not drain');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('e-mail failures', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let workers: TestingModule | undefined;
  let patients: SampledPatient[];
  let refusing = true;

  beforeAll(async () => {
    t = await startApp();
    smtp = await new SmtpSink({ reject: (to) => refusing && to === 'patient1@example.invalid' }).start();
  });
  afterAll(async () => {
    await workers?.close();
    await smtp.stop();
    await t.app.close();
  });

  it('keeps a refused e-mail as failed with the reason, and sends it when retried by hand', async () => {
    patients = await lockedSurvey(t, rows());
    workers = await startWorkers(smtp.env());
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    const progress = await settled(t, 'initial');
    expect(progress.channels.email).toMatchObject({ sent: 2, failed: 1, waiting: 0 });
    const [failed] = await t.dataSource.query(`SELECT m.error, m.attempts FROM mailings m JOIN patients p ON p.id = m.patient_id WHERE m.status = 'failed'`);
    expect(failed.error).toContain('The mail server refused the message');
    expect(failed.error).not.toContain('patient1@');
    expect((await t.app.get(JobQueue).queue('email').getJobCounts('failed')).failed).toBe(1);

    refusing = false;
    const retry = await cli(['wave:retry-failed', '--survey', 'CPES-2026', '--step', 'initial', '--json']);
    expect(retry.json).toMatchObject({ reset: { email: 1, postal: 0 }, retried: 1 });
    expect((await settled(t, 'initial')).channels.email).toMatchObject({ sent: 3, failed: 0 });
    expect(smtp.to(patients[0].email!)).toHaveLength(1);
  });

  it('leaves an interrupted e-mail for a person: plain retry re-sends only the refused one, the interrupted one once confirmed by reference', async () => {
    patients = await lockedSurvey(t, rows());
    await workers?.close();
    workers = undefined;
    refusing = true;
    smtp.received.length = 0;
    const [refused, interrupted, fine] = patients.filter((p) => p.email);
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    // A worker died while sending this one: its row is left "sending", claimed longer ago than any live send.
    await t.dataSource.query(
      `UPDATE mailings SET status = 'sending', claimed_at = now() - interval '1 hour', claimed_by = 'dead-worker', attempts = 1
       WHERE channel = 'email' AND patient_id = $1`, [interrupted.id]);
    const [{ id }] = await t.dataSource.query(`SELECT id::text FROM mailings WHERE channel = 'email' AND patient_id = $1`, [interrupted.id]);
    workers = await startWorkers(smtp.env());
    expect((await t.http().post('/api/surveys/CPES-2026/mailings/reconcile').set(t.auth).expect(200)).body)
      .toMatchObject({ interrupted: 1, requeued: { email: 2 } });
    await settled(t, 'initial');
    expect(smtp.received.map((r) => r.to)).toEqual([fine.email]);

    // Visible with its reference and Message-ID, for the coordinator to look up in the mail server's log.
    const listed = {
      reference: interrupted.reference, messageId: expect.stringMatching(new RegExp(`^<mailing-${id}@`)), interruptedAt: expect.any(String),
      error: expect.stringContaining('the worker stopped, or the database was unreachable when the result was recorded'),
    };
    const status = await cli(['wave:status', '--survey', 'CPES-2026', '--step', 'initial', '--json']);
    expect(status.json.steps[0].channels.email).toMatchObject({ sent: 1, failed: 2, interrupted: 1 });
    expect(status.json.steps[0].interruptedEmails).toEqual([listed]);
    expect((await t.http().get('/api/surveys/CPES-2026/mailings/initial').set(t.auth).expect(200)).body.interruptedEmails).toEqual([listed]);

    refusing = false;
    const retry = await t.http().post('/api/surveys/CPES-2026/mailings/initial/retry-failed').set(t.auth).expect(200);
    expect(retry.body).toMatchObject({ reset: { email: 1, postal: 0 }, interruptedLeft: 1 });
    await settled(t, 'initial');
    expect(smtp.to(refused.email!)).toHaveLength(1);
    expect(smtp.to(interrupted.email!)).toEqual([]);
    const again = await cli(['wave:retry-failed', '--survey', 'CPES-2026', '--step', 'initial']);
    expect(again.stdout).toContain('1 interrupted e-mail left for checking');
    expect(again.stdout).toContain('wave:status --survey CPES-2026 --step initial');

    // A reference that names nothing retryable refuses the whole list, without repeating what was given.
    const mistyped = await t.http().post('/api/surveys/CPES-2026/mailings/initial/retry-failed').set(t.auth)
      .send({ references: [refused.reference, 'RXX-12345'], notDelivered: true }).expect(400);
    expect(mistyped.body.error.details).toEqual([
      { where: 'reference 1', message: "This patient's e-mail is sent, not failed: leave the reference out" },
      { where: 'reference 2', message: 'This is not a survey reference: give one such as RXX-004821-7' }]);
    expect(JSON.stringify(mistyped.body)).not.toContain('RXX-12345');
    // The wrong shapes are refused by validation, not crashed on.
    for (const body of [{ references: refused.reference }, { references: [1] }, { notDelivered: 'yes' }]) {
      const wrong = await t.http().post('/api/surveys/CPES-2026/mailings/initial/retry-failed').set(t.auth).send(body).expect(400);
      expect(wrong.body.error.code).toBe('validation_failed');
    }

    // Named but not confirmed: refused, the row untouched.
    const unconfirmed = await cli(['wave:retry-failed', '--survey', 'CPES-2026', '--step', 'initial', '--ref', interrupted.reference, '--json']);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.json.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('--not-delivered') });
    expect(unconfirmed.json.error.message).not.toContain(interrupted.reference);
    const overHttp = await t.http().post('/api/surveys/CPES-2026/mailings/initial/retry-failed').set(t.auth)
      .send({ references: [interrupted.reference] }).expect(409);
    expect(overHttp.body.error.message).toContain('notDelivered');
    expect((await t.dataSource.query('SELECT status, interrupted FROM mailings WHERE id = $1', [id]))[0]).toEqual({ status: 'failed', interrupted: true });

    // Confirmed from the mail log: sent once, and a repeated confirmation sends nothing more.
    const confirmed = await cli(['wave:retry-failed', '--survey', 'CPES-2026', '--step', 'initial', '--ref', interrupted.reference, '--not-delivered', '--json']);
    expect(confirmed.code).toBe(0);
    expect(confirmed.json).toMatchObject({ reset: { email: 1, postal: 0 }, interruptedLeft: 0 });
    await settled(t, 'initial');
    expect(smtp.to(interrupted.email!)).toHaveLength(1);
    const repeated = await t.http().post('/api/surveys/CPES-2026/mailings/initial/retry-failed').set(t.auth)
      .send({ references: [interrupted.reference], notDelivered: true }).expect(409);
    expect(repeated.body.error.details).toEqual([{ where: 'reference 1', message: "This patient's e-mail is sent, not failed: leave the reference out" }]);
    await settled(t, 'initial');
    expect(smtp.to(interrupted.email!)).toHaveLength(1);
    expect(smtp.received).toHaveLength(3);
  }, 120_000);

  it('does not give back an e-mail whose connection broke off after it was handed over: it is interrupted, for a person', async () => {
    patients = await lockedSurvey(t, rows());
    await workers?.close();
    workers = undefined;
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true }); // only our call sends
    // The server takes the message but answers only after the client has given up waiting.
    const slow = await new SmtpSink({ delayMs: 2_500 }).start();
    const impatient = await startWorkers({ ...slow.env(), MAIL_SEND_TIMEOUT_SECONDS: '1' });
    try {
      const [{ id }] = await t.dataSource.query(`SELECT id::text FROM mailings WHERE channel = 'email' ORDER BY id LIMIT 1`);
      await expect(impatient.get(EmailMailingsService).send(id, { jobId: 'job-1', attempt: 1, maxAttempts: 3 })).rejects.toThrow();
      const [row] = await t.dataSource.query('SELECT status, interrupted, error FROM mailings WHERE id = $1', [id]);
      expect(row).toMatchObject({ status: 'failed', interrupted: true, error: expect.stringContaining('after the message was handed over') });
      const until = Date.now() + 10_000;
      while (!slow.received.length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(slow.received).toHaveLength(1); // it did arrive: giving the row back would have sent it twice
    } finally {
      await impatient.close();
      await slow.stop();
    }
  });

  it("sends a wave's e-mails several to a job, and gives each that does not go a job of its own", async () => {
    patients = await lockedSurvey(t, rows());
    await workers?.close();
    workers = undefined;
    refusing = true;
    smtp.received.length = 0;
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    const queue = t.app.get(JobQueue).queue('email');
    const [batch] = await queue.getJobs(['waiting']);
    const ids: string[] = batch.data.mailingIds;
    expect(ids).toHaveLength(3);
    await queue.obliterate({ force: true }); // only our calls send
    const emailOf = new Map<string, string>((await t.dataSource.query(
      `SELECT m.id::text, p.email FROM mailings m JOIN patients p ON p.id = m.patient_id WHERE m.channel = 'email'`)).map((r: { id: string; email: string }) => [r.id, r.email]));
    const refusedId = ids.find((id) => emailOf.get(id) === 'patient1@example.invalid')!;
    // Another worker holds this one (claimed a moment ago): it is not sent now, nor failed.
    const heldId = ids.find((id) => id !== refusedId)!;
    await t.dataSource.query(`UPDATE mailings SET status = 'sending', claimed_at = now(), claimed_by = 'other-worker' WHERE id = $1`, [heldId]);

    await queue.pause(); // the jobs it hands on stay where we can see them
    workers = await startWorkers(smtp.env());
    try {
      const outcome = await workers.get(EmailMailingsService).sendBatchJob({ mailingIds: ids }, { jobId: batch.id, attempt: 1, maxAttempts: 5 });
      expect(outcome).toEqual({ outcomes: { sent: 1, 'tried-again': 2 } });
      expect(smtp.received.map((r) => r.to)).toEqual([emailOf.get(ids.find((id) => id !== refusedId && id !== heldId)!)]);
      // The refusal is given back and tried again at once by a job of its own, which keeps the failure; the held one after the back-off.
      expect((await t.dataSource.query('SELECT status, error FROM mailings WHERE id = $1', [refusedId]))[0])
        .toMatchObject({ status: 'pending', error: expect.stringContaining('The mail server refused the message') });
      expect((await t.dataSource.query('SELECT status, claimed_by FROM mailings WHERE id = $1', [heldId]))[0]).toEqual({ status: 'sending', claimed_by: 'other-worker' });
      expect(await queue.getJobState(`email-${refusedId}`)).toBe('waiting');
      expect(await queue.getJobState(`email-${heldId}`)).toBe('delayed');
      expect((await queue.getJob(`email-${heldId}`))!.opts.delay).toBe(60_000);
      // The reconciler counts both as held by their jobs.
      expect((await cli(['wave:reconcile', '--survey', 'CPES-2026', '--json'])).json).toMatchObject({ requeued: { email: 0 } });
    } finally {
      await queue.resume();
    }
  });

  it('gives a temporarily failed e-mail back for the next attempt, and fails it on the last', async () => {
    patients = await lockedSurvey(t, rows());
    await workers?.close();
    workers = undefined;
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true }); // only our calls send
    // The SMTP server is down: nothing listens on the port any more.
    const down = await startWorkers({ SMTP_HOST: '127.0.0.1', SMTP_PORT: '9', MAIL_SEND_TIMEOUT_SECONDS: '2' });
    try {
      const service = down.get(EmailMailingsService);
      const [{ id }] = await t.dataSource.query(`SELECT id::text FROM mailings WHERE channel = 'email' ORDER BY id LIMIT 1`);
      await expect(service.send(id, { jobId: 'job-1', attempt: 1, maxAttempts: 3 })).rejects.toThrow();
      const [row] = await t.dataSource.query('SELECT status, error, attempts FROM mailings WHERE id = $1', [id]);
      expect(row).toMatchObject({ status: 'pending', attempts: 1, error: expect.stringMatching(/ECONNREFUSED/) });
      await expect(service.send(id, { jobId: 'job-1', attempt: 3, maxAttempts: 3 })).rejects.toThrow();
      // Refused at connect: known not to have reached the server, so plain retry-failed may send it.
      expect((await t.dataSource.query('SELECT status, attempts, interrupted FROM mailings WHERE id = $1', [id]))[0])
        .toEqual({ status: 'failed', attempts: 2, interrupted: false });
    } finally {
      await down.close();
    }
  });
});
