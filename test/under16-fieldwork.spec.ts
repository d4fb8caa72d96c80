import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeathsService } from '../src/deaths/deaths.service';
import { HelplineService } from '../src/helpline/helpline.service';
import { CLI_COORDINATOR } from '../src/cli/cli-command';
import { JobQueue } from '../src/infra/queues/job-queue';
import { WavesService } from '../src/mailings/waves.service';
import { ReturnsService } from '../src/responses/returns.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import { ageOn, questionnaireForAge } from '../src/surveys/questionnaire-choice';
import { parseSurveySettings } from '../src/surveys/survey-settings';
import { resetDatabase, startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { csvFile, patientRow, Row, tmp } from './support/sample-files';

const londonToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());

/**
 * Fieldwork of the Under-16 survey: the first launch fixes the fieldwork start and gives each
 * child the questionnaire of their age band on that day; the default plan's reminder reaches
 * only the children still owed one; the helpline sees what each child was sent and is warned
 * when a child has died. No pack is rendered here (no workers run): the ledger is what is checked.
 */
describe('Under-16 fieldwork', () => {
  let t: TestApp;
  const waves = () => t.app.get(WavesService);

  beforeAll(async () => { t = await startApp(); });
  afterAll(async () => {
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });

  /** A survey (Under-16 unless told) with PTC trust RXX's sample imported and locked, and a fresh deceased check. */
  async function lockedSurvey(rows: Row[], options: { kind?: 'adult' | 'under16'; settings?: object } = {}) {
    await resetDatabase(t.dataSource);
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.http().post('/api/surveys').set(t.auth).send({
      code: 'U16-2026', kind: options.kind ?? 'under16', periodStart: '2026-04-01', periodEnd: '2026-06-30', ...(options.settings ? { settings: options.settings } : {}),
    }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Children’s Hospital', ptc: true }).expect(201);
    await t.app.get(SampleImportService).import({ surveyCode: 'U16-2026', trustCode: 'RXX', path: csvFile('u16.csv', rows), fileName: 'u16.csv', uploadedBy: 'test' });
    await t.http().post('/api/surveys/U16-2026/sample/lock').set(t.auth).expect(201);
    await trace([]);
  }
  async function trace(nhsNumbers: string[]) {
    const path = join(tmp, `u16-trace-${Date.now()}.csv`);
    writeFileSync(path, ['nhs_number,date_of_death', ...nhsNumbers.map((n) => `${n},2026-08-01`)].join('\r\n') + '\r\n');
    await t.app.get(DeathsService).import('U16-2026', path, 'trace.csv', 'test');
  }
  const patients = (): Promise<{ id: string; ref: string; prn: string; dob: string; questionnaire: string | null }[]> => t.dataSource.query(
    `SELECT id::text, survey_reference AS ref, patient_record_number AS prn, to_char(date_of_birth, 'YYYY-MM-DD') AS dob, questionnaire
     FROM patients ORDER BY row_number`);
  const settings = async () => (await t.dataSource.query(`SELECT settings FROM surveys WHERE code = 'U16-2026'`))[0].settings;
  const child = (n: number, dob: string, changes: Row = {}) => patientRow(n, { date_of_birth: dob, icd10: 'C71.0', ...changes });

  describe('questionnaire by age on the fieldwork start date', () => {
    it('gives each child the band of their age on the day the coordinator set, around every boundary', async () => {
      // Discharged 2 May 2026; fieldwork starts 1 September 2026.
      await lockedSurvey([
        child(1, '2026-01-10'), // 0
        child(2, '2018-09-02'), // 7, eighth birthday the day after
        child(3, '2018-09-01'), // 8 on the day
        child(4, '2014-09-02'), // 11
        child(5, '2014-09-01'), // 12 on the day
        child(6, '2010-09-02'), // 15
        child(7, '2010-06-01'), // 15 at discharge, 16 since: stays in the 12-15 band
      ]);
      const set = await t.http().post('/api/surveys/U16-2026/fieldwork-start').set(t.auth).send({ date: '2026-09-01' }).expect(200);
      expect(set.body.settings.fieldworkStart).toBe('2026-09-01');
      expect((await patients()).every((p) => p.questionnaire === null)).toBe(true); // chosen at launch, not before

      await waves().launch('U16-2026', 'initial', 'test');
      expect((await settings()).fieldworkStart).toBe('2026-09-01');
      const chosen = await patients();
      expect(chosen.map((p) => [p.prn, p.questionnaire])).toEqual([
        ['PRN1', 'u16-0-7'], ['PRN2', 'u16-0-7'], ['PRN3', 'u16-8-11'], ['PRN4', 'u16-8-11'], ['PRN5', 'u16-12-15'], ['PRN6', 'u16-12-15'], ['PRN7', 'u16-12-15'],
      ]);
      const s = parseSurveySettings(await settings(), 'under16');
      for (const p of chosen) expect(p.questionnaire).toBe(questionnaireForAge(s, ageOn(p.dob, '2026-09-01')));
    });

    it('agrees with questionnaireForAge for 29 February birthdays and bands of the coordinator\'s own', async () => {
      const bands = [
        { fromAge: 0, toAge: 4, questionnaire: 'cpes-2026' }, { fromAge: 5, toAge: 9, questionnaire: 'u16-5-9' }, { fromAge: 10, toAge: 13, questionnaire: 'u16-10-13' },
      ];
      const births = ['2012-02-29', '2016-02-29', '2017-02-28', '2017-03-01', '2022-02-28', '2022-03-01', '2013-02-28', '2013-03-01', '2011-06-30'];
      await lockedSurvey(births.map((dob, i) => child(i + 1, dob)), { settings: { questionnaireByAge: bands, fieldworkStart: '2027-02-28' } });
      await waves().launch('U16-2026', 'initial', 'test');
      const s = parseSurveySettings(await settings(), 'under16');
      const chosen = await patients();
      expect(chosen.map((p) => p.questionnaire)).toEqual(chosen.map((p) => questionnaireForAge(s, ageOn(p.dob, '2027-02-28'))));
      // 29 February 2012 is still 14 on 28 February 2027: older than every band, so the oldest band's.
      expect(chosen[0].questionnaire).toBe('u16-10-13');
      expect(chosen[4].questionnaire).toBe('u16-5-9'); // 5 on the day
      expect(chosen[5].questionnaire).toBe('cpes-2026'); // 4, fifth birthday the day after
    });

    it('starts fieldwork on the launch day in England when none was set, and refuses a new start date afterwards', async () => {
      await lockedSurvey([child(1, '2019-01-01'), child(2, '2012-01-01')]);
      await waves().launch('U16-2026', 'initial', 'test');
      const today = londonToday();
      expect((await settings()).fieldworkStart).toBe(today);
      const s = parseSurveySettings(await settings(), 'under16');
      for (const p of await patients()) expect(p.questionnaire).toBe(questionnaireForAge(s, ageOn(p.dob, today)));

      const refused = await t.http().post('/api/surveys/U16-2026/fieldwork-start').set(t.auth).send({ date: '2026-12-01' }).expect(409);
      expect(refused.body.error.message).toContain('The fieldwork start of U16-2026 can no longer be changed: its first mailing has been launched');
      const viaCli = await cli(['survey:fieldwork-start', '--survey', 'U16-2026', '--date', '2026-12-01', '--json']);
      expect(viaCli.code).toBe(1);
      expect(viaCli.json.error.code).toBe('invalid_state');
      expect((await settings()).fieldworkStart).toBe(today);
      // A second launch of the first step chooses nothing again.
      await t.dataSource.query(`UPDATE patients SET questionnaire = 'u16-0-7'`);
      await waves().launch('U16-2026', 'initial', 'test');
      expect((await patients()).map((p) => p.questionnaire)).toEqual(['u16-0-7', 'u16-0-7']);
    });

    it('lets the coordinator set the start from the command line before launch, refusing a date that is not one', async () => {
      await lockedSurvey([child(1, '2019-01-01')]);
      const bad = await cli(['survey:fieldwork-start', '--survey', 'U16-2026', '--date', '2026-02-30', '--json']);
      expect(bad.code).toBe(1);
      expect(bad.json.error).toMatchObject({ code: 'validation_failed', details: [{ where: 'date' }] });
      const set = await cli(['survey:fieldwork-start', '--survey', 'U16-2026', '--date', '2026-09-14']);
      expect(set.code).toBe(0);
      expect(set.stdout).toContain('Fieldwork of U16-2026 starts on 2026-09-14');
      expect((await settings()).fieldworkStart).toBe('2026-09-14');
    });

    it('leaves the adult survey\'s questionnaire unset for every patient (the survey\'s own applies), recording its fieldwork start', async () => {
      await lockedSurvey([patientRow(1), patientRow(2, { date_of_birth: '2000-02-29' })], { kind: 'adult' });
      await waves().launch('U16-2026', 'initial', 'test');
      expect((await patients()).map((p) => p.questionnaire)).toEqual([null, null]);
      expect((await settings()).fieldworkStart).toBe(londonToday());
      expect((await settings()).questionnaire).toBe('cpes-2026');
    });
  });

  describe('the default reminder and the helpline', () => {
    it('sends reminder_1 only to children still owed one: not the responded, the opted out or the deceased', async () => {
      await lockedSurvey([
        child(1, '2019-01-01', { email: 'parent1@example.invalid' }), child(2, '2015-01-01', { email: 'parent2@example.invalid' }),
        child(3, '2012-01-01'), child(4, '2011-01-01'), child(5, '2020-01-01'),
      ]);
      const plan = parseSurveySettings(await settings(), 'under16').mailingPlan!;
      expect(plan.map((s) => [s.name, s.day])).toEqual([['initial', 0], ['reminder_1', 21]]);
      const first = await waves().launch('U16-2026', 'initial', 'test');
      expect(first.added).toEqual({ postal: 5, email: 2, sms: 0 });

      const [p1, p2, p3, p4] = await patients();
      await t.app.get(ReturnsService).bookIn('U16-2026', { reference: p1.ref, type: 'completed' }, 'test');
      await t.http().post(`/api/surveys/U16-2026/patients/${p2.ref}/contacts`).set(t.auth).send({ type: 'opt_out', caller: 'the child’s mother' }).expect(201);
      await t.http().post(`/api/surveys/U16-2026/patients/${p3.ref}/contacts`).set(t.auth).send({ type: 'deceased', dateOfDeath: '2026-08-20', caller: 'the child’s father' }).expect(201);
      // A trace that names another child: the second way a death is learned.
      const [{ nhs_number: traced }] = await t.dataSource.query('SELECT nhs_number FROM patients WHERE id = $1', [p4.id]);
      await trace([traced]);

      const reminder = await waves().launch('U16-2026', 'reminder_1', 'test', { now: true });
      expect(reminder.added).toEqual({ postal: 1, email: 0, sms: 0 });
      expect(reminder.heldBack.postal).toEqual({ responded: 1, opted_out: 1, deceased: 2 });
      expect(reminder.heldBack.email).toEqual({ responded: 1, opted_out: 1 });
      const ledger: { prn: string; channel: string; status: string; reason: string | null }[] = await t.dataSource.query(
        `SELECT p.patient_record_number AS prn, x.channel, x.status, x.suppression_reason AS reason FROM mailings x JOIN patients p ON p.id = x.patient_id
         WHERE x.step = 'reminder_1' ORDER BY p.row_number, x.channel`);
      expect(ledger).toEqual([
        { prn: 'PRN1', channel: 'email', status: 'suppressed', reason: 'responded' },
        { prn: 'PRN1', channel: 'postal', status: 'suppressed', reason: 'responded' },
        { prn: 'PRN2', channel: 'email', status: 'suppressed', reason: 'opted_out' },
        { prn: 'PRN2', channel: 'postal', status: 'suppressed', reason: 'opted_out' },
        { prn: 'PRN3', channel: 'postal', status: 'suppressed', reason: 'deceased' },
        { prn: 'PRN4', channel: 'postal', status: 'suppressed', reason: 'deceased' },
        { prn: 'PRN5', channel: 'postal', status: 'pending', reason: null },
      ]);

      const helpline = t.app.get(HelplineService);
      const record = await helpline.record('U16-2026', p3.ref, CLI_COORDINATOR);
      expect(record).toMatchObject({
        addressee: 'parent_or_carer', death: { dateOfDeath: '2026-08-20', source: 'helpline' },
        questionnaire: { name: 'u16-12-15', ages: 'ages 12 to 15' },
      });
      expect((await helpline.record('U16-2026', p4.ref, CLI_COORDINATOR)).death).toEqual({ dateOfDeath: '2026-08-01', source: 'trace' });
      expect((await helpline.record('U16-2026', p1.ref, CLI_COORDINATOR))).toMatchObject({ death: null, questionnaire: { name: 'u16-0-7', ages: 'ages 0 to 7' } });

      const shown = await cli(['helpline:show', '--survey', 'U16-2026', '--ref', p3.ref]);
      expect(shown.stdout).toContain('WARNING: this child has died (2026-08-20): speak to the family with care; nothing more is sent.');
      expect(shown.stdout).toContain('mail goes to the parent or carer of this child');
      expect(shown.stdout).toContain('questionnaire: u16-12-15 (ages 12 to 15)');
    });
  });
});
