import type { TestingModule } from '@nestjs/testing';
import nodemailer from 'nodemailer';
import { BounceReceiver } from '../src/mailings/bounces/bounce-receiver';
import { WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { dsn } from './support/dsn';
import { ledger, lockedSurvey, SampledPatient, settled, startWorkers } from './support/mailing-survey';
import { patientRow } from './support/sample-files';
import { SmtpSink } from './support/smtp-sink';

/** Four patients; the first three have an e-mail address. */
const rows = () => [1, 2, 3, 4].map((n) => patientRow(n, { email: n < 4 ? `patient${n}@example.invalid` : '' }));
const DOMAIN = 'fieldwork.invalid'; // MAIL_FROM's domain in the tests

describe('e-mail bounces: return path, receiver, suppression', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let workers: TestingModule;
  let patients: SampledPatient[];
  let port: number;

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
    workers = await startWorkers({ ...smtp.env(), BOUNCE_SMTP_PORT: '0', BOUNCE_SMTP_HOST: '127.0.0.1' });
    port = workers.get(BounceReceiver).port!;
  });
  afterEach(async () => {
    await workers.close();
  });

  /** Hands a message to the bounce receiver over SMTP, as the sending side's mail server would (null sender). */
  const deliver = (to: string, raw: string) => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    return transport.sendMail({ envelope: { from: '', to }, raw }).finally(() => transport.close());
  };
  const emailRow = async (n: number, step = 'initial'): Promise<{ id: string; message_id: string }> =>
    (await t.dataSource.query(`SELECT id::text, message_id FROM mailings WHERE patient_id = $1 AND step = $2 AND channel = 'email'`,
      [patients[n].id, step]))[0];
  const bounces = () => t.dataSource.query(
    `SELECT patient_id::text, step, channel, bounce_status, bounce_code, bounce_diagnostic FROM mailings WHERE bounced_at IS NOT NULL ORDER BY id`);
  const bouncedPatients = async () => (await t.dataSource.query(
    'SELECT id::text FROM patients WHERE email_bounced_at IS NOT NULL ORDER BY id')).map((r: { id: string }) => r.id);

  it('sends each e-mail with its own return path and From unchanged; a bounce marks that e-mail alone and stops later e-mails, never letters', async () => {
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
    expect(smtp.received).toHaveLength(3);
    for (const n of [0, 1, 2]) {
      const [mail] = smtp.to(patients[n].email!);
      const row = await emailRow(n);
      expect(mail.from).toBe(`bounces+${row.id}@${DOMAIN}`);
      expect(mail.parsed.from?.text).toBe('cpes-survey@fieldwork.invalid');
      expect(mail.messageId).toBe(row.message_id);
    }

    const first = await emailRow(0);
    const second = await emailRow(1);
    await deliver(`bounces+${first.id}@${DOMAIN}`, dsn({
      to: `bounces+${first.id}@${DOMAIN}`, finalRecipient: patients[0].email!, messageId: first.message_id, status: '5.1.1' }));
    await deliver(`bounces+${second.id}@${DOMAIN}`, dsn({
      to: `bounces+${second.id}@${DOMAIN}`, finalRecipient: patients[1].email!, messageId: second.message_id,
      status: '4.2.2', diagnostic: `452 4.2.2 <${patients[1].email}> mailbox full` }));

    expect(await bounces()).toEqual([
      { patient_id: patients[0].id, step: 'initial', channel: 'email', bounce_status: 'permanent', bounce_code: '5.1.1',
        bounce_diagnostic: '550 5.1.1 <address>: Recipient address rejected: User unknown in virtual mailbox table' },
      { patient_id: patients[1].id, step: 'initial', channel: 'email', bounce_status: 'temporary', bounce_code: '4.2.2',
        bounce_diagnostic: '452 4.2.2 <address> mailbox full' },
    ]);
    expect(await bouncedPatients()).toEqual([patients[0].id]);
    // Nothing of the bounced message is kept: no address anywhere in the ledger's bounce columns.
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM mailings WHERE bounce_diagnostic LIKE '%@%'`);
    expect(n).toBe(0);
    const [progress] = (await t.app.get(WavesService).status('CPES-2026', 'initial')).steps;
    expect(progress.channels.email).toMatchObject({ sent: 3, bounced: 1 });
    expect(progress.channels.postal.bounced).toBe(0);
    const status = await cli(['wave:status', '--survey', 'CPES-2026', '--step', 'initial']);
    expect(status.stdout).toMatch(/e-mail: 3 planned, 3 sent, .*, 1 bounced/);
    const coordinatorPage = await t.http().get('/coordinator?survey=CPES-2026').set(t.auth).expect(200);
    expect(coordinatorPage.text).toContain('<span class="nhsuk-body-s" id="bounced-initial">1 bounced</span>');

    // A later temporary report does not undo the permanent one.
    await deliver(`bounces+${first.id}@${DOMAIN}`, dsn({
      to: `bounces+${first.id}@${DOMAIN}`, finalRecipient: patients[0].email!, messageId: first.message_id, status: '4.4.1', diagnostic: 'timeout' }));
    expect((await bounces())[0]).toMatchObject({ bounce_status: 'permanent', bounce_code: '5.1.1' });

    smtp.received.length = 0;
    const reminder = await t.app.get(WavesService).launch('CPES-2026', 'reminder_1', 'test', { now: true });
    expect(reminder.heldBack.email).toEqual({ email_bounced: 1 });
    expect(reminder.heldBack.postal).toEqual({});
    await settled(t, 'reminder_1');
    const r1 = await ledger(t, 'reminder_1');
    const row = (n: number, channel: string) => r1.find((r) => r.patient_id === patients[n].id && r.channel === channel);
    expect(row(0, 'email')).toMatchObject({ status: 'suppressed', suppression_reason: 'email_bounced' });
    expect(row(0, 'postal')).toMatchObject({ status: 'sent', suppression_reason: null });
    expect(row(1, 'email')).toMatchObject({ status: 'sent' }); // the temporary failure does not block
    expect(row(2, 'email')).toMatchObject({ status: 'sent' });
    expect(smtp.received.map((r) => r.to).sort()).toEqual([patients[1].email, patients[2].email]);
  });

  it('holds back at send time an e-mail planned before its address bounced', async () => {
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
    // Planned (and held, so the bounce surely arrives before the send) while the address still looked good.
    await workers.close();
    const reminder = await t.app.get(WavesService).launch('CPES-2026', 'reminder_1', 'test', { now: true });
    await t.app.get(WavesService).pause('CPES-2026', 'reminder_1', 'test');
    expect(reminder.added.email).toBe(3);
    workers = await startWorkers({ ...smtp.env(), BOUNCE_SMTP_PORT: '0', BOUNCE_SMTP_HOST: '127.0.0.1' });
    port = workers.get(BounceReceiver).port!;
    const third = await emailRow(2);
    await deliver(`bounces+${third.id}@${DOMAIN}`, dsn({
      to: `bounces+${third.id}@${DOMAIN}`, finalRecipient: patients[2].email!, messageId: third.message_id, status: '5.2.1' }));
    await t.app.get(WavesService).resume('CPES-2026', 'reminder_1');
    await settled(t, 'reminder_1');
    const r1 = await ledger(t, 'reminder_1');
    expect(r1.find((r) => r.patient_id === patients[2].id && r.channel === 'email')).toMatchObject({ status: 'suppressed', suppression_reason: 'email_bounced' });
    expect(r1.filter((r) => r.status === 'suppressed')).toHaveLength(1);
  });

  it('matches by the quoted Message-ID when the return path lost its id; refuses other recipients; ignores what is not a bounce', async () => {
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
    const second = await emailRow(1);
    const third = await emailRow(2);

    // Not ours: refused at RCPT TO, so the sending server keeps it.
    await expect(deliver(`postmaster@${DOMAIN}`, dsn({ to: `postmaster@${DOMAIN}`, finalRecipient: patients[1].email!, messageId: second.message_id, status: '5.1.1' })))
      .rejects.toMatchObject({ responseCode: 550 });
    await expect(deliver(`bounces+${second.id}@elsewhere.example`, 'Subject: x\r\n\r\nx\r\n')).rejects.toMatchObject({ responseCode: 550 });
    // Ours, but an auto-reply: taken and dropped.
    await deliver(`bounces+${second.id}@${DOMAIN}`, 'From: patient2@example.invalid\r\nSubject: Out of office\r\n\r\nAway until Monday.\r\n');
    // A bounce naming a row that is not a sent e-mail (this patient's letter) changes nothing.
    const [letter] = await t.dataSource.query(`SELECT id::text FROM mailings WHERE patient_id = $1 AND channel = 'postal'`, [patients[1].id]);
    await deliver(`bounces+${letter.id}@${DOMAIN}`, dsn({ to: `bounces+${letter.id}@${DOMAIN}`, finalRecipient: patients[1].email!, messageId: null, status: '5.1.1' }));
    // No id in the address and a Message-ID that is not one of ours: nothing to match.
    await deliver(`bounces@${DOMAIN}`, dsn({ to: `bounces@${DOMAIN}`, finalRecipient: patients[1].email!, messageId: `<mailing-${second.id}@elsewhere.example>`, status: '5.1.1' }));
    expect(await bounces()).toEqual([]);

    // No id in the address, but the report quotes our Message-ID: that e-mail.
    await deliver(`bounces@${DOMAIN}`, dsn({ to: `bounces@${DOMAIN}`, finalRecipient: patients[2].email!, messageId: third.message_id, status: '5.1.1' }));
    expect(await bounces()).toEqual([expect.objectContaining({ patient_id: patients[2].id, bounce_status: 'permanent' })]);
    expect(await bouncedPatients()).toEqual([patients[2].id]);
  });

  it('shows the bounce on the helpline page, in words', async () => {
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
    const first = await emailRow(0);
    await deliver(`bounces+${first.id}@${DOMAIN}`, dsn({ to: `bounces+${first.id}@${DOMAIN}`, finalRecipient: patients[0].email!, messageId: first.message_id, status: '5.1.1' }));
    await t.dataSource.query(`UPDATE mailings SET bounced_at = '2026-12-03T10:00:00Z' WHERE id = $1`, [first.id]);
    const record = await t.http().get(`/api/surveys/CPES-2026/patients/${patients[0].reference}`).set(t.auth).expect(200);
    expect(record.body.emailBounce).toEqual({ bouncedAt: '2026-12-03T10:00:00.000Z', permanent: true, code: '5.1.1', description: 'mailbox does not exist' });
    const page = await t.http().get(`/helpline/CPES-2026/patients/${patients[0].reference}`).set(t.auth).expect(200);
    expect(page.text).toContain('E-mail to this address bounced on 3 December 2026: mailbox does not exist.');
    const other = await t.http().get(`/helpline/CPES-2026/patients/${patients[1].reference}`).set(t.auth).expect(200);
    expect(other.text).not.toContain('bounced');
  });
});
