import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DeathsService } from '../src/deaths/deaths.service';
import { JobQueue } from '../src/infra/queues/job-queue';
import { WavesService } from '../src/mailings/waves.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import { resetDatabase, startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { csvFile, patientRow, tmp } from './support/sample-files';

/** The Under-16 survey from the pages: created by its kind, its PTCs marked, and the helpline warned of a child's death. */
describe('Under-16 pages', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startApp();
    base = await serve(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await browser?.close();
    await t.app.close();
  });

  const notice = (page: Page) => page.locator('.nhsuk-notification-banner__heading').innerText();

  it('creates an Under-16 survey with its own defaults, shows its kind, and marks a trust as a PTC', async () => {
    await resetDatabase(t.dataSource);
    const password = await userWithPassword(t, 'coordinator@example.invalid', 'coordinator');
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, base, 'coordinator@example.invalid', password);
    await page.waitForURL(/\/coordinator\/surveys\/new$/);

    // The adult defaults are shown; choosing the Under-16 survey, the fields left as shown take its defaults.
    expect(await page.getByLabel('Adult CPES').isChecked()).toBe(true);
    await page.getByLabel('Under-16 CPES').check();
    await page.getByLabel('Survey code', { exact: true }).fill('U16-2026');
    for (const [id, v] of [['#startDay', '1'], ['#startMonth', '4'], ['#startYear', '2026'], ['#endDay', '30'], ['#endMonth', '6'], ['#endYear', '2026']]) await page.locator(id).fill(v);
    await page.getByLabel('Days patient data is kept after the survey closes').fill('14');
    await screenshot(page, 'u16-1-new-survey');
    await page.getByRole('button', { name: 'Create the survey' }).click();
    await page.waitForURL(/\/coordinator\?survey=U16-2026/);
    expect(await notice(page)).toContain('Under-16 CPES survey U16-2026 created for discharges from 1 April 2026 to 30 June 2026.');
    expect(await page.locator('#survey-kind').innerText()).toBe('Under-16 CPES');
    const [survey] = await t.dataSource.query(`SELECT kind, settings FROM surveys WHERE code = 'U16-2026'`);
    expect(survey.kind).toBe('under16');
    expect(survey.settings).toMatchObject({
      minimumAge: 0, maximumAge: 15, ptcOnly: true, addressee: 'parent_or_carer', questionnaire: 'u16-12-15', retentionDaysAfterClose: 14,
      icd10Scope: ['C00-C97', 'D32-D33', 'D35.2-D35.4', 'D42-D43', 'D44.3-D44.5'],
      helplineEmail: 'u16-cpes-helpline@fieldwork.invalid',
    });
    expect(survey.settings.questionnaireByAge).toHaveLength(3);
    expect(survey.settings.mailingPlan.map((s: { name: string }) => s.name)).toEqual(['initial', 'reminder_1']);
    await screenshot(page, 'u16-2-dashboard');

    // The Under-16 defaults can be shown in the form; an adult survey created beside it keeps the adult ones.
    await page.goto(`${base}/coordinator/surveys/new?kind=under16`);
    expect(await page.getByLabel('Under-16 CPES').isChecked()).toBe(true);
    expect(await page.getByLabel('Minimum age at discharge').inputValue()).toBe('0');
    expect(await page.getByLabel('Maximum age at discharge (optional)').inputValue()).toBe('15');
    await page.getByLabel('Adult CPES').check();
    await page.getByLabel('Survey code', { exact: true }).fill('CPES-2026');
    for (const [id, v] of [['#startDay', '1'], ['#startMonth', '4'], ['#startYear', '2026'], ['#endDay', '30'], ['#endMonth', '6'], ['#endYear', '2026']]) await page.locator(id).fill(v);
    await page.getByRole('button', { name: 'Create the survey' }).click();
    await page.waitForURL(/\/coordinator\?survey=CPES-2026/);
    const [adult] = await t.dataSource.query(`SELECT kind, settings FROM surveys WHERE code = 'CPES-2026'`);
    expect(adult.kind).toBe('adult');
    expect(adult.settings).toMatchObject({ minimumAge: 16, ptcOnly: false, addressee: 'patient', icd10Scope: ['C00-C97', 'D05'], questionnaire: 'cpes-2026' });
    expect(adult.settings.maximumAge).toBeUndefined();
    expect(await page.locator('#survey-kind').innerText()).toBe('Adult CPES');
    expect(await page.locator('main').innerText()).toContain('U16-2026 (Under-16 CPES)');

    // Trusts: one added as a PTC, another marked later, then unmarked.
    await page.goto(`${base}/coordinator/trusts?survey=U16-2026`);
    await page.getByLabel('ODS code', { exact: true }).fill('RXX');
    await page.getByLabel('Trust name').fill('Example Children’s Hospital');
    await page.getByLabel('A Principal Treatment Centre for children’s cancer').check();
    await page.getByRole('button', { name: 'Add the trust' }).click();
    expect(await notice(page)).toBe('Trust RXX Example Children’s Hospital added as a Principal Treatment Centre');
    await page.getByLabel('ODS code', { exact: true }).fill('RYY');
    await page.getByLabel('Trust name').fill('Another NHS Trust');
    await page.getByRole('button', { name: 'Add the trust' }).click();
    expect(await page.locator('#trust-RXX .fw-ptc').innerText()).toBe('Yes');
    expect(await page.locator('#trust-RYY .fw-ptc').innerText()).toBe('No');
    await page.getByRole('button', { name: 'Mark as PTC RYY' }).click();
    expect(await notice(page)).toBe('Trust RYY Another NHS Trust is now a Principal Treatment Centre');
    expect(await page.locator('#trust-RYY .fw-ptc').innerText()).toBe('Yes');
    await screenshot(page, 'u16-3-trusts');
    await page.getByRole('button', { name: 'Unmark RXX' }).click();
    expect(await notice(page)).toBe('Trust RXX Example Children’s Hospital is no longer a Principal Treatment Centre');
    expect((await t.dataSource.query(`SELECT code, ptc FROM trusts ORDER BY code`))).toEqual([{ code: 'RXX', ptc: false }, { code: 'RYY', ptc: true }]);
    const audited = await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'trust.ptc'`);
    expect(audited[0].n).toBe(2);
    await context.close();
  }, 120_000);

  it("shows the helpline the child's questionnaire, that the caller is a parent or carer, and a warning when the child has died", async () => {
    await resetDatabase(t.dataSource);
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'U16-2026', kind: 'under16', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Children’s Hospital', ptc: true }).expect(201);
    const rows = [patientRow(1, { date_of_birth: '2016-03-01', first_name: 'Sam', surname: 'Synthetic' }), patientRow(2, { date_of_birth: '2020-03-01' })];
    await t.app.get(SampleImportService).import({ surveyCode: 'U16-2026', trustCode: 'RXX', path: csvFile('u16-pages.csv', rows), fileName: 'u16.csv', uploadedBy: 'test' });
    await t.http().post('/api/surveys/U16-2026/sample/lock').set(t.auth).expect(201);
    const trace = join(tmp, 'u16-pages-trace.csv');
    writeFileSync(trace, 'nhs_number,date_of_death\r\n');
    await t.app.get(DeathsService).import('U16-2026', trace, 'trace.csv', 'test');
    await t.http().post('/api/surveys/U16-2026/fieldwork-start').set(t.auth).send({ date: '2026-09-01' }).expect(200);
    await t.app.get(WavesService).launch('U16-2026', 'initial', 'test');
    const [dead, alive] = await t.dataSource.query(`SELECT survey_reference AS ref FROM patients ORDER BY row_number`);
    await t.http().post(`/api/surveys/U16-2026/patients/${dead.ref}/contacts`).set(t.auth).send({ type: 'deceased', dateOfDeath: '2026-09-10', caller: 'the child’s mother' }).expect(201);

    const password = await userWithPassword(t, 'jo.helpline@example.invalid', 'helpline');
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, base, 'jo.helpline@example.invalid', password);
    await page.waitForURL(/\/helpline$/);
    await page.goto(`${base}/helpline/U16-2026/patients/${dead.ref}`);
    const warning = await page.locator('#deceased').innerText();
    expect(warning).toContain('This child has died');
    expect(warning).toContain('The death was reported to the helpline (date of death 10 September 2026). Nothing more will be sent.');
    expect(warning).toContain('Before you speak to the family');
    // The warning comes before the child's name and the call options.
    const html = await page.content();
    expect(html.indexOf('id="deceased"')).toBeGreaterThan(0);
    expect(html.indexOf('id="deceased"')).toBeLessThan(html.indexOf('<h1'));
    expect(await page.locator('#caller').innerText()).toContain('the caller is a parent or carer of the child');
    expect(await page.locator('#questionnaire').innerText()).toBe('u16-8-11 (ages 8 to 11 on the day fieldwork started)');
    await screenshot(page, 'u16-4-helpline-deceased-child');

    await page.goto(`${base}/helpline/U16-2026/patients/${alive.ref}`);
    expect(await page.locator('#deceased').count()).toBe(0);
    expect(await page.locator('#questionnaire').innerText()).toBe('u16-0-7 (ages 0 to 7 on the day fieldwork started)');
    await context.close();
  }, 120_000);
});
