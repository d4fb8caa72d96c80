import type { TestingModule } from '@nestjs/testing';
import { SmsMailingsService } from '../src/mailings/sms-mailings.service';
import { SMS_OFF, WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { userWithPassword } from './support/browser';
import { cli } from './support/cli';
import { ledger, lockedSurvey, SampledPatient, settled, startWorkers } from './support/mailing-survey';
import { NotifyStandIn, notifyToken, SERVICE_ID, SMS_TEMPLATE_ID } from '../bench/notify-stand-in';
import { patientRow } from './support/sample-files';

const CALLBACK_TOKEN = 'callback-token-for-tests-0123456789';

/** Six patients: 1-4 have a mobile number, 1 and 2 are under 35, 1 and 5 have an e-mail address. */
const rows = () => [1, 2, 3, 4, 5, 6].map((n) => patientRow(n, {
  postcode: `LS${n} 1AA`,
  date_of_birth: n <= 2 ? '1995-03-01' : '1950-01-01',
  mobile: n <= 4 ? `0770090012${n}` : '',
  email: n === 1 || n === 5 ? `patient${n}@example.invalid` : '',
}));

/** Post and e-mail as today, then a text nudge at day 10 for the under-35s with a mobile, and texts to all at reminder_1. */
const PLAN = {
  mailingPlan: [
    { name: 'initial', day: 0, channels: { postal: { letter: 'initial' }, sms: {} } },
    { name: 'young_nudge', day: 10, channels: { sms: {} }, group: { ageMax: 34, hasMobile: true } },
    { name: 'reminder_1', day: 21, channels: { postal: { letter: 'reminder_1' }, email: { template: 'reminder_1' }, sms: {} } },
  ],
};

describe('SMS through GOV.UK Notify, and steps limited to a patient group', () => {
  let t: TestApp;
  let notify: NotifyStandIn;
  let workers: TestingModule | undefined;
  let patients: SampledPatient[];
  const saved = { ...process.env };
  const waves = () => t.app.get(WavesService);
  const mobile = (n: number) => `0770090012${n}`;

  beforeAll(async () => {
    notify = await new NotifyStandIn().start();
    // The service reads its configuration when it starts: Notify on, receipts accepted.
    Object.assign(process.env, notify.env({ NOTIFY_CALLBACK_TOKEN: CALLBACK_TOKEN }));
    t = await startApp();
  });
  afterAll(async () => {
    process.env = saved;
    await t.app.close();
    await notify.stop();
  });
  beforeEach(async () => {
    notify.texts.length = 0;
    patients = await lockedSurvey(t, rows(), PLAN);
  });
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });

  it('texts each patient with a mobile once, with their own link, access code and the helpline, the ledger id as reference', async () => {
    workers = await startWorkers(notify.env());
    const launched = await waves().launch('CPES-2026', 'initial', 'test');
    expect(launched).toMatchObject({ added: { postal: 6, email: 0, sms: 4 }, smsOff: false, notes: [] });
    const progress = await settled(t, 'initial');
    expect(progress.channels.sms).toMatchObject({ planned: 4, sent: 4, failed: 0, waiting: 0 });
    expect(notify.texts).toHaveLength(4);
    expect(notify.rejected).toBe(0); // the real client's token passed the stand-in's check
    const rowsSent: { id: string; patient_id: string; provider_id: string; message_id: string }[] = await t.dataSource.query(
      `SELECT id::text, patient_id::text, provider_id, message_id FROM mailings WHERE channel = 'sms' ORDER BY id`);
    for (const [i, p] of patients.slice(0, 4).entries()) {
      const [text] = notify.textsTo(mobile(i + 1));
      const row = rowsSent.find((r) => r.patient_id === p.id)!;
      expect(text).toMatchObject({
        template_id: SMS_TEMPLATE_ID, reference: row.id,
        personalisation: { link: `http://localhost:3000/s/${p.access_code}`, access_code: p.access_code, helpline: '0808 157 0192' },
      });
      expect(row).toMatchObject({ provider_id: text.id, message_id: row.id });
    }

    // The job run again (a retry, a second worker) finds its row done and sends nothing.
    for (const row of rowsSent) expect(await t.app.get(SmsMailingsService).send(row.id)).toBe('already-done');
    expect(notify.texts).toHaveLength(4);
  });

  it('suppresses a text at send time after a response, and mails a group-limited step to that group only', async () => {
    workers = await startWorkers(notify.env());
    await waves().launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
    notify.texts.length = 0;
    // The nudge goes at day 10: planned now, then patient 2 responds before it goes.
    await workers.close();
    workers = undefined;
    const nudge = await waves().launch('CPES-2026', 'young_nudge', 'test', { now: true });
    expect(nudge).toMatchObject({ added: { postal: 0, email: 0, sms: 2 }, printFiles: 0 });
    await t.http().post('/api/surveys/CPES-2026/returns').set(t.auth).send({ reference: patients[1].reference, type: 'completed' }).expect(200);
    workers = await startWorkers(notify.env());
    const progress = await settled(t, 'young_nudge');
    expect(progress.channels.sms).toMatchObject({ planned: 2, sent: 1, suppressed: { responded: 1, total: 1 } });
    expect(progress.channels.postal.planned + progress.channels.email.planned).toBe(0);
    expect(notify.texts.map((x) => x.phone_number)).toEqual([mobile(1)]);
    const rowsOfStep = await ledger(t, 'young_nudge');
    expect(rowsOfStep.map((r) => [r.patient_id, r.channel, r.status, r.suppression_reason])).toEqual([
      [patients[0].id, 'sms', 'sent', null], [patients[1].id, 'sms', 'suppressed', 'responded'],
    ]);
  });

  it('records delivery receipts, refuses a wrong token, and never texts a number that failed for good again', async () => {
    workers = await startWorkers(notify.env());
    await waves().launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
    const byPhone = (n: number) => notify.textsTo(mobile(n))[0];
    const receipt = (n: number, status: string) => ({
      id: byPhone(n).id, reference: byPhone(n).reference, to: mobile(n), status,
      created_at: '2026-11-30T10:00:00.000000Z', completed_at: '2026-11-30T10:00:05.000000Z', sent_at: '2026-11-30T10:00:01.000000Z',
      notification_type: 'sms', template_id: SMS_TEMPLATE_ID, template_version: 1,
    });
    const post = () => t.http().post('/api/notify/callbacks');

    await post().send(receipt(1, 'delivered')).expect(401);
    await post().set('Authorization', 'Bearer not-the-token').send(receipt(1, 'delivered')).expect(401);
    // A user's token is not Notify's: refused too.
    await post().set(t.auth).send(receipt(1, 'delivered')).expect(401);
    expect(await t.dataSource.query(`SELECT 1 FROM mailings WHERE delivery_status IS NOT NULL`)).toEqual([]);

    const auth = { Authorization: `Bearer ${CALLBACK_TOKEN}` };
    expect((await post().set(auth).send(receipt(1, 'delivered')).expect(200)).body).toEqual({ recorded: true });
    await post().set(auth).send(receipt(2, 'temporary-failure')).expect(200);
    await post().set(auth).send(receipt(3, 'permanent-failure')).expect(200);
    // By Notify's id alone when the reference is missing.
    await post().set(auth).send({ ...receipt(4, 'technical-failure'), reference: null }).expect(200);
    const bad = await post().set(auth).send({ ...receipt(1, 'lost-in-space') }).expect(400);
    expect(bad.body.error.message).toContain('status must be one of delivered, permanent-failure, temporary-failure, technical-failure');
    const unknown = await post().set(auth).send({ ...receipt(1, 'delivered'), reference: '999999999' }).expect(200);
    expect(unknown.body).toEqual({ recorded: false });

    const receipts = await t.dataSource.query(
      `SELECT p.mobile, m.delivery_status FROM mailings m JOIN patients p ON p.id = m.patient_id WHERE m.channel = 'sms' ORDER BY p.mobile`);
    expect(receipts).toEqual([
      { mobile: mobile(1), delivery_status: 'delivered' }, { mobile: mobile(2), delivery_status: 'temporary-failure' },
      { mobile: mobile(3), delivery_status: 'permanent-failure' }, { mobile: mobile(4), delivery_status: 'technical-failure' },
    ]);
    // The helpline sees each text with its receipt.
    const helpline = await t.http().get(`/api/surveys/CPES-2026/patients/${patients[2].reference}`).set(t.auth).expect(200);
    expect(helpline.body.mailings.filter((m: { channel: string }) => m.channel === 'sms')).toEqual([
      expect.objectContaining({ step: 'initial', channel: 'sms', status: 'sent', delivery: 'permanent-failure' })]);
    const page = await t.http().get(`/helpline/CPES-2026/patients/${patients[2].reference}`).set(t.auth).expect(200);
    expect(page.text).toContain('The number does not work: no more texts go to it');
    const status = await cli(['wave:status', '--survey', 'CPES-2026', '--step', 'initial']);
    expect(status.stdout).toContain('text  : 4 planned, 4 sent');
    expect(status.stdout).toContain('text receipts: delivered 1, permanent-failure 1, temporary-failure 1, technical-failure 1');

    // reminder_1 does not plan a text to the failed number; the e-mail and the letter still go.
    notify.texts.length = 0;
    const reminder = await waves().launch('CPES-2026', 'reminder_1', 'test', { now: true });
    expect(reminder.added).toEqual({ postal: 6, email: 2, sms: 3 });
    await settled(t, 'reminder_1');
    expect(notify.texts.map((x) => x.phone_number).sort()).toEqual([mobile(1), mobile(2), mobile(4)]);
  });

  it('suppresses a text already planned when its number fails for good before it goes', async () => {
    await waves().launch('CPES-2026', 'initial', 'test');
    await waves().launch('CPES-2026', 'young_nudge', 'test', { now: true });
    // Patient 1's initial text is recorded sent, and its receipt says the number is dead.
    await t.dataSource.query(
      `UPDATE mailings SET status = 'sent', completed_at = now(), delivery_status = 'permanent-failure'
       WHERE step = 'initial' AND channel = 'sms' AND patient_id = $1`, [patients[0].id]);
    const [row] = await t.dataSource.query(`SELECT id::text FROM mailings WHERE step = 'young_nudge' AND patient_id = $1`, [patients[0].id]);
    expect(await t.app.get(SmsMailingsService).send(row.id)).toBe('suppressed');
    expect(await ledger(t, 'young_nudge')).toContainEqual(expect.objectContaining({ patient_id: patients[0].id, status: 'suppressed', suppression_reason: 'unusable_number' }));
    expect(notify.textsTo(mobile(1))).toEqual([]);
  });

  it('gives a text back for a retry when Notify fails, sends it once, and fails for good on a refusal', async () => {
    await waves().launch('CPES-2026', 'initial', 'test');
    const ids: string[] = (await t.dataSource.query(`SELECT id::text FROM mailings WHERE channel = 'sms' ORDER BY id`)).map((r: { id: string }) => r.id);
    const texts = t.app.get(SmsMailingsService);
    notify.failNext(500);
    await expect(texts.send(ids[0], { jobId: 'job-a', attempt: 1, maxAttempts: 5 })).rejects.toThrow('Notify answered 500');
    expect((await t.dataSource.query('SELECT status, error FROM mailings WHERE id = $1', [ids[0]]))[0])
      .toEqual({ status: 'pending', error: 'Notify answered 500 (Exception: stand-in failure 500)' });
    expect(await texts.send(ids[0], { jobId: 'job-a', attempt: 2, maxAttempts: 5 })).toBe('sent');
    notify.failNext(400);
    await expect(texts.send(ids[1], { jobId: 'job-b', attempt: 1, maxAttempts: 5 })).rejects.toThrow('Notify answered 400');
    expect((await t.dataSource.query('SELECT status FROM mailings WHERE id = $1', [ids[1]]))[0].status).toBe('failed');
    expect(notify.texts.map((x) => x.reference)).toEqual([ids[0]]);
  });

  it('marks a text interrupted when its worker died mid-send, and never sends it again', async () => {
    await waves().launch('CPES-2026', 'initial', 'test');
    const [{ id }] = await t.dataSource.query(`SELECT id::text FROM mailings WHERE channel = 'sms' ORDER BY id LIMIT 1`);
    // The job's earlier run claimed the row and stopped (the process died) before recording anything.
    await t.dataSource.query(`UPDATE mailings SET status = 'sending', claimed_at = now(), claimed_by = 'job-x' WHERE id = $1`, [id]);
    expect(await t.app.get(SmsMailingsService).send(id, { jobId: 'job-x', attempt: 2, maxAttempts: 5 })).toBe('interrupted');
    const [row] = await t.dataSource.query('SELECT status, interrupted, error FROM mailings WHERE id = $1', [id]);
    expect(row).toMatchObject({ status: 'failed', interrupted: true });
    expect(row.error).toContain('the text may or may not have reached Notify');
    expect(notify.texts).toEqual([]);
  });

  it('marks a text interrupted, not sent again, when Notify took it but the connection broke before the answer', async () => {
    await waves().launch('CPES-2026', 'initial', 'test');
    const [{ id }] = await t.dataSource.query(`SELECT id::text FROM mailings WHERE channel = 'sms' ORDER BY id LIMIT 1`);
    notify.dropNext();
    await expect(t.app.get(SmsMailingsService).send(id, { jobId: 'job-y', attempt: 1, maxAttempts: 5 })).rejects.toThrow('may or may not have been accepted');
    const [row] = await t.dataSource.query('SELECT status, interrupted, error FROM mailings WHERE id = $1', [id]);
    expect(row).toMatchObject({ status: 'failed', interrupted: true });
    expect(row.error).toContain('Look the text up in GOV.UK Notify by its reference (the ledger id)');
    // The job's retry finds the row settled: the patient has the one text Notify took.
    expect(await t.app.get(SmsMailingsService).send(id, { jobId: 'job-y', attempt: 2, maxAttempts: 5 })).toBe('already-done');
    expect(notify.texts.map((x) => x.reference)).toEqual([id]);
    const status = await waves().status('CPES-2026', 'initial');
    expect(status.steps[0].channels.sms).toMatchObject({ failed: 1, interrupted: 1 });

    // Sent again only by reference, once a person has seen in Notify that it was not sent.
    const [{ reference }] = await t.dataSource.query('SELECT p.survey_reference AS reference FROM mailings m JOIN patients p ON p.id = m.patient_id WHERE m.id = $1', [id]);
    const retry = () => t.http().post('/api/surveys/CPES-2026/mailings/initial/retry-failed').set(t.auth);
    const plain = await retry().send({}).expect(200);
    expect(plain.body).toMatchObject({ reset: { sms: 0 }, interruptedLeft: 1 });
    const unconfirmed = await retry().send({ references: [reference], channel: 'sms' }).expect(409);
    expect(unconfirmed.body.error.message).toContain('1 of the texts named was interrupted and may have reached GOV.UK Notify; nothing was retried.');
    const confirmed = await retry().send({ references: [reference], channel: 'sms', notDelivered: true }).expect(200);
    expect(confirmed.body).toMatchObject({ reset: { sms: 1 }, confirmedNotDelivered: [{ reference, messageId: id }] });
    expect(await t.app.get(SmsMailingsService).send(id)).toBe('sent');
    expect(notify.texts.map((x) => x.reference)).toEqual([id, id]);
  });

  it('refuses a token not signed with the key (the stand-in checks as Notify does)', async () => {
    const res = await fetch(`${notify.url}/v2/notifications/sms`, {
      method: 'POST', headers: { 'content-type': 'application/json', Authorization: `Bearer ${notifyToken(SERVICE_ID, '00000000-0000-4000-8000-000000000000')}` },
      body: JSON.stringify({ phone_number: mobile(1), template_id: SMS_TEMPLATE_ID }),
    });
    expect(res.status).toBe(403);
    expect(notify.texts).toEqual([]);
  });

  it('says SMS is off when a step with texts is launched without Notify configured, and plans no texts', async () => {
    const off = { NOTIFY_API_KEY: '', NOTIFY_SMS_TEMPLATE_ID: '' };
    const run = await cli(['wave:launch', '--survey', 'CPES-2026', '--step', 'initial', '--json'], off);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ added: { postal: 6, email: 0, sms: 0 }, ledger: { sms: 0 }, smsOff: true, notes: [SMS_OFF] });
    const text = await cli(['wave:launch', '--survey', 'CPES-2026', '--step', 'young_nudge', '--now'], off);
    expect(text.stdout).toContain('SMS is off (NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID are not both set): no texts were planned for this step.');
    expect(await t.dataSource.query(`SELECT 1 FROM mailings WHERE channel = 'sms'`)).toEqual([]);
    // Once configured, launching again plans the texts that were left out.
    const again = await waves().launch('CPES-2026', 'initial', 'test');
    expect(again).toMatchObject({ alreadyLaunched: true, added: { postal: 0, sms: 4 } });
  });

  it("shows texts on the coordinator's confirmation and dashboard, and says on both when SMS is off", async () => {
    const cookieOf = async (app: TestApp) => {
      const email = `coordinator.${Math.random().toString(36).slice(2)}@example.invalid`;
      const password = await userWithPassword(app, email, 'coordinator');
      const login = await app.http().post('/login').type('form').send({ email, password }).expect(303);
      return (login.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    };

    // Without Notify: the confirmation and the notice after launching both say texts are off.
    const off = { ...process.env };
    delete process.env.NOTIFY_API_KEY;
    delete process.env.NOTIFY_SMS_TEMPLATE_ID;
    const plain = await startApp();
    process.env = off;
    try {
      const cookie = await cookieOf(plain);
      const confirm = await plain.http().get('/coordinator/CPES-2026/mailings/initial/launch').set('Cookie', cookie).expect(200);
      expect(confirm.text).toMatch(/id="will-text">none: SMS is off \(NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID are not both set\)/);
      expect(confirm.text).toContain('Launch: post 6 letters</button>');
      const launched = await plain.http().post('/coordinator/CPES-2026/mailings/initial/launch').set('Cookie', cookie)
        .type('form').send({ postal: '6', email: '0', sms: '0' }).expect(303);
      expect(decodeURIComponent(launched.headers.location)).toContain(`initial going out now: 6 letters and 0 e-mails planned; 0 patients held back. ${SMS_OFF}`);
    } finally {
      await plain.app.close();
    }

    // With Notify: the texts are counted before the launch, and shown on the dashboard.
    const cookie = await cookieOf(t);
    await waves().launch('CPES-2026', 'initial', 'test'); // plans the texts left out while SMS was off
    const nudge = await t.http().get('/coordinator/CPES-2026/mailings/young_nudge/launch').set('Cookie', cookie).expect(200);
    expect(nudge.text).toContain('id="will-text">2</dd>');
    expect(nudge.text).toContain('id="group">Only the patient group');
    expect(nudge.text).not.toContain('id="will-post"');
    expect(nudge.text).toContain('Schedule: send 2 texts</button>');
    workers = await startWorkers(notify.env());
    await settled(t, 'initial');
    const dashboard = await t.http().get('/coordinator?survey=CPES-2026').set('Cookie', cookie).expect(200);
    expect(dashboard.text).toContain('<th scope="col">Texts sent</th>');
    expect(dashboard.text).toMatch(/id="texts-initial">4<br><span class="nhsuk-body-s">0 delivered, 0 failed for good<\/span>/);
    expect(dashboard.text).toContain('Launch<span class="nhsuk-u-visually-hidden"> young nudge</span>');
  });

  it('refuses a step the survey plan does not have, naming the steps it has', async () => {
    const res = await t.http().post('/api/surveys/CPES-2026/mailings/reminder_2/launch').set(t.auth).send({}).expect(400);
    expect(res.body.error.message).toBe(`This survey's mailing plan has no step of that name: its steps are initial, young_nudge, reminder_1`);
    const run = await cli(['wave:launch', '--survey', 'CPES-2026', '--step', 'reminder_2']);
    expect(run.code).toBe(1);
    expect(run.stderr + run.stdout).toContain('its steps are initial, young_nudge, reminder_1');
  });
});
