import type { Browser, Page } from 'playwright-core';
import { WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { lockedSurvey, SampledPatient, settled, startWorkers, traceDeaths } from './support/mailing-survey';
import { csvFile, patientRow } from './support/sample-files';

/** The pages, in a real browser (Debian's Chromium through playwright-core). */
describe('pages in a browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let patients: SampledPatient[];

  beforeAll(async () => {
    t = await startApp();
    base = await serve(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t.app.close();
  });
  beforeEach(async () => {
    patients = await lockedSurvey(t, [patientRow(1, { surname: 'Quillfeather' }), patientRow(2), patientRow(3)]);
    page = await (await browser.newContext()).newPage();
  });
  const afterThis: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    await page.context().close();
    while (afterThis.length) await afterThis.pop()!();
  });

  it('lets a patient complete the questionnaire online, following its routing, and come back to it', async () => {
    const code = patients[0].access_code;
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${base}/s`);
    await screenshot(page, 'patient-1-code');
    // By keyboard alone: Tab from the skip link into the form, type, Enter.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent?.trim())).toBe('Skip to main content');
    await page.getByLabel('Access code').focus();
    await page.keyboard.type(code.toLowerCase().replace(/-/g, ' '));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/q\/1$/);
    await screenshot(page, 'patient-2-question-1');
    // "None: I went straight to hospital" routes past question 2.
    await page.getByLabel('None: I went straight to hospital').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/q\/3$/);
    expect(await page.locator('.nhsuk-caption-l').innerText()).toBe('Question 3 of 61');

    // Save and come back: a new visit with the same code resumes where it stopped.
    const later = await page.context().browser()!.newContext();
    const again = await later.newPage();
    await again.goto(`${base}/s/${code}`);
    await again.waitForURL(/\/q\/3$/);
    await later.close();

    await page.getByLabel('No', { exact: true }).check(); // no diagnostic test: on to question 7
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.waitForURL(/\/q\/7$/);
    await page.getByRole('link', { name: 'Back' }).click();
    await page.waitForURL(/\/q\/3$/);
    expect(await page.getByLabel('No', { exact: true }).isChecked()).toBe(true);
    await page.goto(`${base}/s/${code}/check`);
    await screenshot(page, 'patient-3-check');
    const answered = await page.locator('.nhsuk-summary-list__key').allInnerTexts();
    expect(answered.slice(0, 3).map((k) => k.split('.')[0])).toEqual(['1', '3', '7']);
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    await screenshot(page, 'patient-4-thanks');

    const [stored] = await t.dataSource.query('SELECT mode, answers FROM responses');
    expect(stored).toEqual({ mode: 'online', answers: { gp_visits: '1', had_diagnostic_test: '2' } });
    await page.goto(`${base}/s/${code}`);
    await page.getByRole('heading', { name: 'You have already taken part' }).waitFor();
    await page.goto(`${base}/s/AAAA-BBBB-CCCC`);
    await page.getByRole('heading', { name: 'We could not find that access code' }).waitFor();
    await screenshot(page, 'patient-5-unknown-code');
    // Nothing about a patient's visit goes to anyone else: no fonts, scripts or images from elsewhere.
    expect(requests.filter((url) => !url.startsWith(base))).toEqual([]);
  });

  it('lets helpline staff find a patient, log an opt-out, and the patient drops out of the next reminder', async () => {
    const workers = await startWorkers();
    try {
      await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
      await settled(t, 'initial');
      const password = await userWithPassword(t, 'jo.helpline@example.invalid', 'helpline');
      await signIn(page, base, 'jo.helpline@example.invalid', password);
      await page.waitForURL(/\/helpline$/);
      await page.getByLabel('Surname').fill('quillfeather');
      await page.getByLabel('Postcode').fill('ls14ab');
      await page.getByLabel('Date of birth').fill('1950-01-01');
      await page.getByRole('button', { name: 'Search' }).click();
      await screenshot(page, 'helpline-1-search');
      await page.getByRole('link', { name: patients[0].reference }).click();
      await page.getByRole('heading', { name: /Quillfeather/ }).waitFor();
      await screenshot(page, 'helpline-2-patient');
      await page.getByRole('link', { name: 'Opt out' }).click();
      await page.getByLabel('Reason given (optional)').fill('Does not wish to take part');
      await page.getByRole('button', { name: 'Record the opt-out' }).click();
      await page.getByText('Opted out: no further questionnaires or reminders will be sent.').waitFor();
      await screenshot(page, 'helpline-3-opted-out');
      expect(await page.locator('.nhsuk-tag').innerText()).toContain('Outcome 4');

      await t.app.get(WavesService).launch('CPES-2026', 'reminder_1', 'test', { now: true });
      await settled(t, 'reminder_1');
      const [row] = await t.dataSource.query(
        `SELECT status, suppression_reason FROM mailings WHERE step = 'reminder_1' AND channel = 'postal' AND patient_id = $1`, [patients[0].id]);
      expect(row).toEqual({ status: 'suppressed', suppression_reason: 'opted_out' });
    } finally {
      await workers.close();
    }
  });

  it('lets a trust upload its sample file and read the validation report', async () => {
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2027', periodStart: '2027-04-01', periodEnd: '2027-06-30' }).expect(201);
    const password = await userWithPassword(t, 'data.manager@example.invalid', 'trust', 'RXX');
    await signIn(page, base, 'data.manager@example.invalid', password);
    await page.waitForURL(/\/trust$/);
    await screenshot(page, 'trust-1-upload');
    const rows = [1, 2, 3, 4, 5, 6].map((n) => patientRow(n, { discharge_date: '2027-05-02', admission_date: '2027-05-01' }));
    rows[2] = { ...rows[2], nhs_number: '9990000017' }; // a bad check digit: row 4 is rejected
    await page.getByLabel('Sample file').setInputFiles(csvFile('trust-upload.csv', rows));
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await page.getByRole('heading', { name: 'File accepted' }).waitFor();
    await screenshot(page, 'trust-2-report');
    expect(await page.locator('table').first().innerText()).toContain('nhs_number is not a valid NHS number');
    const csv = await page.context().request.get(base + (await page.getByRole('link', { name: /Download the rejected rows/ }).getAttribute('href'))!);
    expect(await csv.text()).toContain('4,nhs_number,rejected');
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM patients p JOIN surveys s ON s.id = p.survey_id WHERE s.code = 'CPES-2027'`);
    expect(n).toBe(5);
    await page.getByRole('link', { name: 'Back to your sample' }).click();
    const rate = await page.getByRole('table').first().innerText();
    expect(rate).toMatch(/Example Hospitals NHS Trust\s+5\s+0\s+0%/); // sampled 5, none responded yet
    expect(rate).toContain('England');
  });

  it('lets a coordinator launch a step after a confirmation that states who will be mailed and who is suppressed', async () => {
    const workers = await startWorkers();
    afterThis.push(() => workers.close());
    await traceDeaths(t, [patients[2].nhs_number]);
    const password = await userWithPassword(t, 'coordinator@example.invalid', 'coordinator');
    await signIn(page, base, 'coordinator@example.invalid', password);
    await page.waitForURL(/\/coordinator$/);
    await screenshot(page, 'coordinator-1-dashboard');
    await page.getByRole('link', { name: 'Launch initial' }).click();
    await page.getByRole('heading', { name: 'Launch the initial mailing' }).waitFor();
    expect(await page.locator('#will-post').innerText()).toBe('2');
    expect((await page.locator('#suppressed').innerText()).trim()).toBe('1 deceased');
    await screenshot(page, 'coordinator-2-confirm');
    await page.getByRole('button', { name: 'Launch and mail 2 patients' }).click();
    await page.getByText('initial launched: 3 letters and 0 e-mails queued').waitFor();
    await screenshot(page, 'coordinator-3-launched');
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM mailings WHERE step = 'initial'`);
    expect(n).toBe(3);
    const [entry] = await t.dataSource.query(`SELECT actor, action FROM audit_log WHERE action = 'mailing.launch'`);
    expect(entry).toEqual({ actor: 'coordinator@example.invalid', action: 'mailing.launch' });

    await page.getByRole('button', { name: 'Pause initial' }).click();
    await page.getByText('initial paused: nothing more is printed').waitFor();
    await page.getByRole('button', { name: 'Resume initial' }).click();
    await page.locator('.nhsuk-notification-banner').getByText('initial resumed').waitFor();
    await page.getByRole('link', { name: 'Response rates and the response chart' }).click();
    await page.getByRole('heading', { name: 'Response rates' }).waitFor();
    await settled(t, 'initial');
    await page.reload();
    const chart = page.getByRole('img', { name: /cumulative responses/ });
    await chart.waitFor();
    expect(await chart.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete
      && (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(800); // the SVG really loaded
    await screenshot(page, 'coordinator-4-reports');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const trail = await page.getByRole('table').innerText();
    expect(trail).toContain('mailing.resume');
    expect(trail).toContain('mailing.pause');
    await screenshot(page, 'coordinator-5-audit');
  });

  it('slows down anyone guessing access codes', async () => {
    for (let i = 0; i < 10; i++) expect((await page.goto(`${base}/s/AAAA-BBBB-CC${'CDEFGHJKMN'[i]}C`))!.status()).toBe(404);
    const held = await page.goto(`${base}/s/${patients[1].access_code}`);
    expect(held!.status()).toBe(429); // even a real code waits: the address is held back for a while
    await page.getByRole('heading', { name: 'Please wait before trying again' }).waitFor();
    await screenshot(page, 'patient-6-too-many-guesses');
    await t.dataSource.query('DELETE FROM access_code_failures');
  });
});
