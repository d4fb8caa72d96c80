import type { TestingModule } from '@nestjs/testing';
import { WavesService } from '../src/mailings/waves.service';
import { defaultMailingPlan } from '../src/surveys/mailing-plan';
import { startApp, TestApp } from './support/app';
import { lockedSurvey, SampledPatient, settled, startWorkers, traceDeaths } from './support/mailing-survey';
import { patientRow } from './support/sample-files';

/** Six patients: the odd ones have an e-mail address; 1 and 2 are under 35, 3 is a man, 4 has a mobile. */
const rows = () => [1, 2, 3, 4, 5, 6].map((n) => patientRow(n, {
  postcode: `LS${n} 1AA`, email: n % 2 === 1 ? `patient${n}@example.invalid` : '',
  date_of_birth: n <= 2 ? '1995-03-01' : '1950-01-01', sex: n === 3 ? '1' : '2', mobile: n === 4 ? '07700900124' : '',
}));

/**
 * The ledger the three fixed steps wrote before mailing plans existed, for this sample and
 * these events (patient 2 responds and 3 opts out after the initial mailing; 5 dies before
 * reminder 2), captured by running this scenario on the code before this change: patient
 * (sample row), step, channel, status, suppression reason.
 */
const TODAYS_LEDGER = [
  ...[1, 2, 3, 4, 5, 6].map((n) => [n, 'initial', 'postal', 'sent', null]),
  ...[1, 3, 5].map((n) => [n, 'initial', 'email', 'sent', null]),
  [1, 'reminder_1', 'postal', 'sent', null], [2, 'reminder_1', 'postal', 'suppressed', 'responded'],
  [3, 'reminder_1', 'postal', 'suppressed', 'opted_out'], [4, 'reminder_1', 'postal', 'sent', null],
  [5, 'reminder_1', 'postal', 'sent', null], [6, 'reminder_1', 'postal', 'sent', null],
  [1, 'reminder_1', 'email', 'sent', null], [3, 'reminder_1', 'email', 'suppressed', 'opted_out'], [5, 'reminder_1', 'email', 'sent', null],
  [1, 'reminder_2', 'postal', 'sent', null], [2, 'reminder_2', 'postal', 'suppressed', 'responded'],
  [3, 'reminder_2', 'postal', 'suppressed', 'opted_out'], [4, 'reminder_2', 'postal', 'sent', null],
  [5, 'reminder_2', 'postal', 'suppressed', 'deceased'], [6, 'reminder_2', 'postal', 'sent', null],
  [1, 'reminder_2', 'email', 'sent', null], [3, 'reminder_2', 'email', 'suppressed', 'opted_out'], [5, 'reminder_2', 'email', 'suppressed', 'deceased'],
].sort(byRow);

function byRow(a: unknown[], b: unknown[]): number {
  const key = (r: unknown[]) => `${['initial', 'reminder_1', 'reminder_2'].indexOf(r[1] as string)}-${r[2]}-${String(r[0]).padStart(3, '0')}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

describe('mailing plan per survey', () => {
  let t: TestApp;
  let workers: TestingModule | undefined;
  let patients: SampledPatient[];
  const waves = () => t.app.get(WavesService);
  /** The patient's number in the sample (1-6). */
  const number = (patientId: string) => patients.findIndex((p) => p.id === patientId) + 1;

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.app.close();
  });
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });

  /** The three steps with the same events between them; the ledger as TODAYS_LEDGER lists it. */
  async function runThreeSteps(settings?: object): Promise<unknown[][]> {
    patients = await lockedSurvey(t, rows(), settings);
    workers = await startWorkers(); // e-mails to the outbox folder: the ledger is what is compared
    await waves().launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
    await t.http().post('/api/surveys/CPES-2026/returns').set(t.auth).send({ reference: patients[1].reference, type: 'completed' }).expect(200);
    await t.http().post(`/api/surveys/CPES-2026/patients/${patients[2].reference}/contacts`).set(t.auth).send({ type: 'opt_out' }).expect(201);
    await waves().launch('CPES-2026', 'reminder_1', 'test', { now: true });
    await settled(t, 'reminder_1');
    await traceDeaths(t, [patients[4].nhs_number]);
    await waves().launch('CPES-2026', 'reminder_2', 'test', { now: true });
    await settled(t, 'reminder_2');
    const ledger: { patient_id: string; step: string; channel: string; status: string; reason: string | null }[] = await t.dataSource.query(
      `SELECT patient_id::text, step, channel, status, suppression_reason AS reason FROM mailings`);
    return ledger.map((r) => [number(r.patient_id), r.step, r.channel, r.status, r.reason]).sort(byRow);
  }

  it('gives the ledger of the three fixed steps with no plan in the settings', async () => {
    expect(await runThreeSteps()).toEqual(TODAYS_LEDGER);
  });

  it('gives the same ledger with the default plan written out, and the same reminder days', async () => {
    expect(await runThreeSteps({ mailingPlan: defaultMailingPlan() })).toEqual(TODAYS_LEDGER);
    const [initial] = await t.dataSource.query(`SELECT launched_at FROM mailing_steps WHERE step = 'initial'`);
    expect(defaultMailingPlan().map((s) => [s.name, s.day])).toEqual([['initial', 0], ['reminder_1', 21], ['reminder_2', 49]]);
    expect(initial).toBeDefined();
  });

  it('schedules each step at its own day after the first, and mails a group-limited letter to that group only', async () => {
    patients = await lockedSurvey(t, rows(), {
      mailingPlan: [
        { name: 'first_post', day: 0, channels: { postal: { letter: 'initial' } } },
        { name: 'young_women', day: 12, channels: { postal: { letter: 'reminder_1' }, email: { template: 'reminder_1' } }, group: { ageMax: 34, sex: ['female'] } },
        { name: 'men_only', day: 30, channels: { postal: { letter: 'reminder_2' } }, group: { sex: ['male'] } },
        { name: 'email_only', day: 40, channels: { email: { template: 'reminder_2' } }, group: { hasEmail: true, ageMin: 60 } },
      ],
    });
    const first = await waves().launch('CPES-2026', 'first_post', 'test');
    expect(first.added).toEqual({ postal: 6, email: 0, sms: 0 });
    const [{ status }] = await t.dataSource.query('SELECT status FROM surveys');
    expect(status).toBe('fieldwork');
    const young = await waves().launch('CPES-2026', 'young_women', 'test');
    expect(new Date(young.scheduledFor).getTime() - new Date(first.launchedAt).getTime()).toBe(12 * 86_400_000);
    expect(young.added).toEqual({ postal: 2, email: 1, sms: 0 });
    const men = await waves().launch('CPES-2026', 'men_only', 'test');
    expect(men.added).toEqual({ postal: 1, email: 0, sms: 0 });
    const older = await waves().launch('CPES-2026', 'email_only', 'test');
    expect(older.added).toEqual({ postal: 0, email: 2, sms: 0 });
    const planned: { step: string; channel: string; patients: string[] }[] = await t.dataSource.query(
      `SELECT step, channel, array_agg(patient_id::text) AS patients FROM mailings WHERE step <> 'first_post' GROUP BY 1, 2 ORDER BY 1, 2`);
    expect(planned.map((r) => [r.step, r.channel, r.patients.map(number).sort()])).toEqual([
      ['email_only', 'email', [3, 5]],
      ['men_only', 'postal', [3]],
      ['young_women', 'email', [1]],
      ['young_women', 'postal', [1, 2]],
    ]);
    // A pack asked for on the phone is the full pack the plan last posted, whatever its step is
    // called: men_only's reminder_2 letter (young_women's reminder_1 is a letter without a questionnaire).
    await t.http().post(`/api/surveys/CPES-2026/patients/${patients[5].reference}/contacts`).set(t.auth)
      .send({ type: 'alternative_format', format: 'large_print' }).expect(201);
    expect(await t.dataSource.query('SELECT step, format FROM one_off_packs')).toEqual([{ step: 'reminder_2', format: 'large_print' }]);
    const preview = await waves().preview('CPES-2026', 'young_women');
    expect(preview).toMatchObject({ launched: true, channels: ['postal', 'email'], limitedToGroup: true, mail: { postal: 0, email: 0 } });

    // The response-rate report follows the plan's steps (none sent yet: every count 0), in CSV too.
    const rates = await t.http().get('/api/surveys/CPES-2026/reports/response-rates').set(t.auth).expect(200);
    expect(Object.keys(rates.body.national.mailed)).toEqual(['first_post', 'young_women', 'men_only', 'email_only']);
    expect(rates.body.national.mailed.young_women).toEqual({ postal: 0, email: 0 });
    const csv = await t.http().get('/api/surveys/CPES-2026/reports/response-rates?format=csv').set(t.auth).expect(200);
    expect(csv.text.split('\r\n')[0]).toContain('mailed_first_post_postal,mailed_first_post_email,mailed_young_women_postal');
  });

  it('refuses a plan at survey creation with a sentence naming each step and field', async () => {
    const res = await t.http().post('/api/surveys').set(t.auth).send({
      code: 'CPES-2027', periodStart: '2027-04-01', periodEnd: '2027-06-30',
      settings: {
        mailingPlan: [
          { name: 'initial', day: 3, channels: { postal: { letter: 'initial' } } },
          { name: 'nudge', day: 10, channels: { sms: {}, fax: {} }, group: { ageMin: 40, ageMax: 30, tumour: 'Breast' } },
          { name: 'nudge', day: 5, channels: { email: { template: 'no_such_email' } } },
        ],
      },
    }).expect(400);
    const details = res.body.error.details as { where: string; message: string }[];
    expect(details).toEqual(expect.arrayContaining([
      { where: 'settings.mailingPlan[0].day', message: 'Step "initial" is the first step, which starts fieldwork: its day must be 0' },
      { where: 'settings.mailingPlan[1].channels.fax', message: 'Step "nudge" has an unknown channel "fax": the channels are postal, email and sms' },
      { where: 'settings.mailingPlan[1].group.tumour', message: 'Step "nudge"\'s group has an unknown condition "tumour": the conditions are ageMin, ageMax, sex, hasMobile, hasEmail' },
      { where: 'settings.mailingPlan[1].group.ageMax', message: 'Step "nudge"\'s group ageMax 30 is below its ageMin 40: nobody would be mailed' },
      { where: 'settings.mailingPlan[2].name', message: 'Step "nudge" appears twice: each step needs its own name' },
      { where: 'settings.mailingPlan[2].day', message: 'Step "nudge"\'s day 5 comes before the step above it (day 10): list the steps in the order they go out' },
      { where: 'settings.mailingPlan[2].channels.email.template', message: 'Step "nudge"\'s email template "no_such_email" does not exist: add templates/emails/no_such_email.json or name an existing one' },
    ]));
    expect(res.body.error.message).toContain('settings.mailingPlan[0].day: Step "initial" is the first step');
    expect(await t.dataSource.query(`SELECT 1 FROM surveys WHERE code = 'CPES-2027'`)).toEqual([]);
  });
});
