import type { Browser } from 'playwright-core';
import type { Principal } from '../src/auth/roles';
import { JobQueue } from '../src/infra/queues/job-queue';
import { ReportsService } from '../src/reports/reports.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import { resetDatabase, startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { cli } from './support/cli';
import { csvFile, patientRow } from './support/sample-files';

/**
 * Eight patients whose groups and outcomes are known, so each grouping is checked against
 * counts made by hand. Discharged 2026-05-02 (patientRow's date), so the ages are as noted.
 *   n  trust  age  sex  ethnicity  icd10   e-mail mobile  outcome
 *   1  RXX    26   1    A          C50.9   yes    -       completed online
 *   2  RXX    35   2    H          C34     -      yes     undelivered (leaves the base)
 *   3  RXX    76   2    M          C61     yes    yes     completed on paper
 *   4  RXX    76   9    Z          D05.1   -      -       opted out
 *   5  RXX    91   1    (blank)    C18     -      -       not eligible (leaves the base)
 *   6  RXX    66   2    A          C71     yes    -       none yet
 *   7  RYY    26   1    A          C50     yes    yes     completed online
 *   8  RYY    76   2    H          C61     -      -       none yet
 */
const PATIENTS = [
  { trust: 'RXX', dob: '2000-01-01', sex: '1', eth: 'A', icd10: 'C50.9', email: true, mobile: false, outcome: ['completed', 'online'] },
  { trust: 'RXX', dob: '1990-06-01', sex: '2', eth: 'H', icd10: 'C34', email: false, mobile: true, outcome: ['undelivered'] },
  { trust: 'RXX', dob: '1950-01-01', sex: '2', eth: 'M', icd10: 'C61', email: true, mobile: true, outcome: ['completed', 'paper'] },
  { trust: 'RXX', dob: '1950-01-01', sex: '9', eth: 'Z', icd10: 'D05.1', email: false, mobile: false, outcome: ['opt_out'] },
  { trust: 'RXX', dob: '1935-01-01', sex: '1', eth: '', icd10: 'C18', email: false, mobile: false, outcome: ['ineligible'] },
  { trust: 'RXX', dob: '1960-01-01', sex: '2', eth: 'A', icd10: 'C71', email: true, mobile: false, outcome: [] },
  { trust: 'RYY', dob: '2000-01-01', sex: '1', eth: 'A', icd10: 'C50', email: true, mobile: true, outcome: ['completed', 'online'] },
  { trust: 'RYY', dob: '1950-01-01', sex: '2', eth: 'H', icd10: 'C61', email: false, mobile: false, outcome: [] },
];

type Expected = [group: string, sampled: number, responded: number, adjusted: number | null, unadjusted: number | null][];

describe('response rate by patient group', () => {
  let t: TestApp;
  const coordinator: Principal = { id: 'coordinator', role: 'coordinator' };
  const byGroup = (by: string, principal: Principal = coordinator) => t.app.get(ReportsService).responseRatesByGroup('CPES-2026', by, principal);
  const summary = (groups: { group: string; sampled: number; outcomes: Record<number, number>; adjustedRate: number | null; unadjustedRate: number | null }[]) =>
    groups.map((g) => [g.group, g.sampled, g.outcomes[1], g.adjustedRate, g.unadjustedRate]);

  beforeAll(async () => {
    t = await startApp();
    await resetDatabase(t.dataSource);
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    for (const code of ['RXX', 'RYY']) await t.http().post('/api/trusts').set(t.auth).send({ code, name: `${code} Synthetic NHS Trust` }).expect(201);
    for (const trust of ['RXX', 'RYY']) {
      const rows = PATIENTS.map((p, i) => ({ p, n: i + 1 })).filter(({ p }) => p.trust === trust).map(({ p, n }) => patientRow(n, {
        trust_code: trust, site_code: `${trust}01`, date_of_birth: p.dob, sex: p.sex, ethnicity: p.eth, icd10: p.icd10,
        email: p.email ? `patient${n}@example.invalid` : '', mobile: p.mobile ? `077009001${String(n).padStart(2, '0')}` : '',
      }));
      await t.app.get(SampleImportService).import({ surveyCode: 'CPES-2026', trustCode: trust, path: csvFile(`groups-${trust}.csv`, rows), fileName: 'sample.csv', uploadedBy: 'test' });
    }
    // Outcomes as the responses and helpline modules record them: events on the patient.
    const ids: { id: string; prn: string }[] = await t.dataSource.query('SELECT id::text, patient_record_number AS prn FROM patients');
    for (const [i, p] of PATIENTS.entries()) {
      if (!p.outcome.length) continue;
      await t.dataSource.query(
        `INSERT INTO patient_events (survey_id, patient_id, kind, mode, occurred_on, recorded_by, source)
         SELECT survey_id, id, $2, $3, '2026-11-20', 'test', 'system' FROM patients WHERE id = $1`,
        [ids.find((x) => x.prn === `PRN${i + 1}`)!.id, p.outcome[0], p.outcome[1] ?? null]);
    }
  });
  afterAll(async () => {
    await t.app.close();
  });

  it('by age band: the results module\'s bands, at discharge; rates as the trust report defines them', async () => {
    const r = await byGroup('age_band');
    expect(summary(r.groups)).toEqual([
      ['16–24', 0, 0, null, null], ['25–34', 2, 2, 100, 100], ['35–44', 1, 0, null, 0], ['45–54', 0, 0, null, null],
      ['55–64', 0, 0, null, null], ['65–74', 1, 0, 0, 0], ['75–84', 3, 1, 33.3, 33.3], ['85+', 1, 0, null, 0], ['unknown', 0, 0, null, null],
    ] satisfies Expected);
    // 3 completed of 8, less the undelivered and the ineligible: 3 / 6.
    expect(summary([r.total])).toEqual([['all patients', 8, 3, 50, 37.5]]);
    expect(r.total.byMode).toEqual({ paper: 1, online: 2, phone: 0 });
    expect(r).toMatchObject({ survey: 'CPES-2026', by: 'age_band', scope: 'national' });
  });

  it('by sex, ethnic group, tumour group and the ways to reach the patient', async () => {
    expect(summary((await byGroup('sex')).groups)).toEqual([
      ['male', 3, 2, 100, 66.7], ['female', 4, 1, 33.3, 25], ['other or not known', 1, 0, 0, 0],
    ] satisfies Expected);
    expect(summary((await byGroup('ethnic_group')).groups)).toEqual([
      ['White', 3, 2, 66.7, 66.7], ['Mixed', 0, 0, null, null], ['Asian', 2, 0, 0, 0], ['Black', 1, 1, 100, 100],
      ['Other', 0, 0, null, null], ['Not known', 2, 0, 0, 0],
    ] satisfies Expected);
    const tumour = summary((await byGroup('tumour_group')).groups).filter((g) => g[1] !== 0);
    expect(tumour).toEqual([
      ['Brain / CNS', 1, 0, 0, 0], ['Breast', 3, 2, 66.7, 66.7], ['Colorectal / LGT', 1, 0, null, 0], ['Lung', 1, 0, null, 0], ['Prostate', 2, 1, 50, 50],
    ] satisfies Expected);
    expect(summary((await byGroup('channel')).groups)).toEqual([
      ['post only', 3, 0, 0, 0], ['post and e-mail', 2, 1, 50, 50], ['post and mobile', 1, 0, null, 0], ['post, e-mail and mobile', 2, 2, 100, 100],
    ] satisfies Expected);
  });

  it('by IMD quintile: unknown for all without an area lookup, the derived quintile once there is one', async () => {
    expect(summary((await byGroup('imd_quintile')).groups)).toEqual([
      ['1', 0, 0, null, null], ['2', 0, 0, null, null], ['3', 0, 0, null, null], ['4', 0, 0, null, null], ['5', 0, 0, null, null], ['unknown', 8, 3, 50, 37.5],
    ] satisfies Expected);
    // What areas:import derives: the quintile of the patient's postcode (patients 1 and 3 in quintile 1).
    await t.dataSource.query(`UPDATE patients SET imd_quintile = 1 WHERE patient_record_number IN ('PRN1', 'PRN3')`);
    try {
      const r = summary((await byGroup('imd_quintile')).groups);
      expect(r[0]).toEqual(['1', 2, 2, 100, 100]);
      expect(r[5]).toEqual(['unknown', 6, 1, 25, 16.7]);
    } finally {
      await t.dataSource.query('UPDATE patients SET imd_quintile = NULL');
    }
  });

  it("keeps a trust user to their own trust's patients", async () => {
    const ryy: Principal = { id: 'ryy-user', role: 'trust', trustCode: 'RYY' };
    const r = await byGroup('channel', ryy);
    expect(r.scope).toBe('RYY');
    expect(summary(r.groups)).toEqual([
      ['post only', 1, 0, 0, 0], ['post and e-mail', 0, 0, null, null], ['post and mobile', 0, 0, null, null], ['post, e-mail and mobile', 1, 1, 100, 100],
    ] satisfies Expected);
    await expect(t.app.get(ReportsService).responseRatesByGroup('CPES-2026', 'sex', ryy, 'RXX')).rejects.toMatchObject({ code: 'not_found' });
    const rxx = await t.app.get(ReportsService).responseRatesByGroup('CPES-2026', 'sex', coordinator, 'RXX');
    expect(rxx.total.sampled).toBe(6);
  });

  it('answers over the API as JSON or CSV, and refuses an unknown grouping', async () => {
    const json = await t.http().get('/api/surveys/CPES-2026/reports/response-rates?by=sex').set(t.auth).expect(200);
    expect(json.body.groups.map((g: { group: string; sampled: number }) => [g.group, g.sampled])).toEqual([['male', 3], ['female', 4], ['other or not known', 1]]);
    const csv = await t.http().get('/api/surveys/CPES-2026/reports/response-rates?by=channel&format=csv').set(t.auth).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('grouping,scope,group,sampled,outcome_1,outcome_2,outcome_3,outcome_4,outcome_5,outcome_6,outcome_7,responses_paper,responses_online,responses_phone,adjusted_rate,unadjusted_rate');
    expect(lines.slice(1)).toEqual([
      'channel,national,post only,3,0,0,0,1,1,1,0,0,0,0,0.0,0.0',
      'channel,national,post and e-mail,2,1,0,0,0,0,1,0,0,1,0,50.0,50.0',
      'channel,national,post and mobile,1,0,1,0,0,0,0,0,0,0,0,,0.0',
      'channel,national,"post, e-mail and mobile",2,2,0,0,0,0,0,0,1,1,0,100.0,100.0',
      'channel,national,all patients,8,3,1,0,1,1,2,0,1,2,0,50.0,37.5',
    ]);
    const bad = await t.http().get('/api/surveys/CPES-2026/reports/response-rates?by=postcode').set(t.auth).expect(400);
    expect(bad.body.error.details).toEqual([{ where: 'by', message: 'not a grouping' }]);
    // Without ?by, the report is the trust report, as before.
    const plain = await t.http().get('/api/surveys/CPES-2026/reports/response-rates').set(t.auth).expect(200);
    expect(plain.body.trusts.map((r: { code: string }) => r.code)).toEqual(['RXX', 'RYY']);
  });

  it('prints each grouping from the command line, as a table or --json', async () => {
    const text = await cli(['report:response-rates', '--survey', 'CPES-2026', '--by', 'age_band']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('CPES-2026, all trusts, by age band:');
    expect(text.stdout).toMatch(/25–34\s+sampled\s+2\s+responded\s+2\s+adjusted 100\.0%\s+unadjusted 100\.0%/);
    expect(text.stdout).toMatch(/all patients\s+sampled\s+8\s+responded\s+3\s+adjusted\s+50\.0%\s+unadjusted\s+37\.5%/);
    // Each grouping's figures are checked above through the service; here, that the command gives the same.
    for (const by of ['ethnic_group', 'channel']) {
      const run = await cli(['report:response-rates', '--survey', 'CPES-2026', '--by', by, '--json']);
      expect(run.code).toBe(0);
      expect(run.json).toEqual(JSON.parse(JSON.stringify({ ...(await byGroup(by)), generatedAt: run.json.generatedAt })));
    }
    const bad = await cli(['report:response-rates', '--survey', 'CPES-2026', '--by', 'nonsense', '--json']);
    expect(bad.code).toBe(1);
    expect(bad.json.error.message).toContain('age_band, sex, ethnic_group, imd_quintile, tumour_group, channel');
  }, 60_000);

  describe('on the coordinator\'s reports page', () => {
    let browser: Browser;
    beforeAll(async () => { browser = await launchBrowser(); });
    afterAll(async () => { await browser?.close(); });

    it('chooses a grouping and shows its table', async () => {
      const base = await serve(t);
      const password = await userWithPassword(t, 'coordinator@example.invalid', 'coordinator');
      const page = await (await browser.newContext()).newPage();
      try {
        await signIn(page, base, 'coordinator@example.invalid', password);
        await page.goto(`${base}/coordinator/CPES-2026/reports`);
        expect(await page.locator('#group-rates').count()).toBe(0);
        await page.getByLabel('Group patients by').selectOption({ label: 'Ethnic group' });
        await page.getByRole('button', { name: 'Show' }).click();
        await page.locator('#group-rates').waitFor();
        expect(page.url()).toContain('by=ethnic_group');
        const table = async () => (await page.locator('#group-rates tbody tr').allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim()));
        // No letter or e-mail has gone yet: rates are "–", not 0%.
        expect((await table()).map((r) => r.slice(4))).toEqual(Array(7).fill(['–', '–']));
        await t.dataSource.query(`INSERT INTO mailing_steps (survey_id, step, launched_by, scheduled_for) SELECT id, 'initial', 'test', now() FROM surveys`);
        await t.dataSource.query(
          `INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, status, completed_at)
           SELECT survey_id, id, trust_code, 'initial', 'email', 'sent', now() FROM patients WHERE email IS NOT NULL LIMIT 1`);
        await page.reload();
        expect(await table()).toEqual([
          ['White', '3', '2', '2', '66.7%', '66.7%'], ['Mixed', '0', '0', '0', '–', '–'], ['Asian', '2', '0', '0', '0%', '0%'],
          ['Black', '1', '1', '0', '100%', '100%'], ['Other', '0', '0', '0', '–', '–'], ['Not known', '2', '0', '0', '0%', '0%'],
          ['all patients', '8', '3', '2', '50%', '37.5%'],
        ]);
        expect(await page.getByLabel('Group patients by').inputValue()).toBe('ethnic_group');
        await screenshot(page, 'coordinator-reports-by-group');
      } finally {
        await page.context().close();
      }
    });
  });
});
