import type { Browser, Page } from 'playwright-core';
import { WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { lockedSurvey, SampledPatient, settled, startWorkers, traceDeaths } from './support/mailing-survey';
import { csvFile, patientRow } from './support/sample-files';
import { SAMPLE_COLUMNS } from '../src/samples/sample-columns';

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
    await page.waitForURL(new RegExp(`/s/${code}$`));
    await page.getByRole('button', { name: 'Start now' }).click();
    await page.waitForURL(/\/q\/1$/);
    await screenshot(page, 'patient-2-question-1');
    // "None: I went straight to hospital" routes past question 2.
    await page.getByLabel('None: I went straight to hospital').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/q\/3$/);
    expect(await page.locator('.nhsuk-caption-l').innerText()).toContain('Question 3 of 61');

    // Save and come back: a new visit with the same code resumes where it stopped.
    const later = await page.context().browser()!.newContext();
    const again = await later.newPage();
    await again.goto(`${base}/s/${code}`);
    await again.getByRole('button', { name: 'Continue where you left off' }).click();
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
      await page.getByLabel('Day').fill('1');
      await page.getByLabel('Month').fill('1');
      await page.getByLabel('Year').fill('1950');
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
    // The columns and rules, linked from the upload form, and the template to start from.
    await page.getByRole('link', { name: "The sample file's columns and rules" }).click();
    await page.getByRole('heading', { name: 'Sample file format' }).waitFor();
    await screenshot(page, 'trust-sample-format');
    expect(await page.locator('#columns tbody tr').count()).toBe(Object.keys(SAMPLE_COLUMNS).length);
    const template = await page.context().request.get(base + (await page.getByRole('link', { name: 'Download the CSV template' }).getAttribute('href'))!);
    expect((await template.text()).split('\r\n')[0]).toBe(Object.keys(SAMPLE_COLUMNS).join(','));
    await page.getByRole('link', { name: 'Back to your sample' }).click();
    const rows = [1, 2, 3, 4, 5, 6].map((n) => patientRow(n, { discharge_date: '2027-05-02', admission_date: '2027-05-01' }));
    rows[2] = { ...rows[2], nhs_number: '9990000017' }; // a bad check digit: row 4 is rejected
    rows[4] = { ...rows[4], first_name: 'Zebediah', surname: 'Quorndonfairweather', date_of_birth: '2015-03-04' }; // row 6: under 16
    await page.getByLabel('Sample file').setInputFiles(csvFile('trust-upload.csv', rows));
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await page.getByRole('heading', { name: 'File accepted' }).waitFor();
    await screenshot(page, 'trust-2-report');
    expect(await page.locator('table').first().innerText()).toContain('nhs_number is not a valid NHS number');
    const csv = await page.context().request.get(base + (await page.getByRole('link', { name: /Download the rejected rows/ }).getAttribute('href'))!);
    expect(await csv.text()).toContain('4,nhs_number,rejected');
    expect(await page.locator('#excluded-rows').innerText()).toMatch(/6\s+PRN5\s+Excluded: the patient was under 16 at discharge\./);
    const excluded = await page.context().request.get(base + (await page.getByRole('link', { name: 'Download the excluded rows (CSV)' }).getAttribute('href'))!);
    expect(await excluded.text()).toBe('row,patient_record_number,reason,explanation\r\n6,PRN5,under_16,Excluded: the patient was under 16 at discharge.\r\n');
    expect(await page.content()).not.toContain('Quorndonfairweather');
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM patients p JOIN surveys s ON s.id = p.survey_id WHERE s.code = 'CPES-2027'`);
    expect(n).toBe(4);
    await page.getByRole('link', { name: 'Back to your sample' }).click();
    const rate = await page.getByRole('table').first().innerText();
    expect(rate).toMatch(/Example Hospitals NHS Trust\s+4\s+0\s+–/); // sampled 4, no rate before the first mailing
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
    expect(await page.locator('#will-email').innerText()).toBe('0');
    expect((await page.locator('#suppressed').innerText()).trim()).toBe('1 deceased');
    expect(await page.locator('#preconditions').innerText()).toMatch(/Done\s+The sample is locked\s+Done\s+The deceased check is recent enough/);
    await screenshot(page, 'coordinator-2-confirm');
    await page.getByRole('button', { name: 'Launch: post 2 letters and send 0 e-mails' }).click();
    await page.getByText('initial going out now: 2 letters and 0 e-mails planned; 1 patient held back').waitFor();
    await screenshot(page, 'coordinator-3-launched');
    // The ledger holds what the confirmation said: 2 letters to go, the dead patient held back with the reason.
    const rows = await t.dataSource.query(
      `SELECT channel, suppression_reason AS reason, count(*)::int AS n FROM mailings WHERE step = 'initial' GROUP BY 1, 2 ORDER BY 2 NULLS FIRST`);
    expect(rows).toEqual([{ channel: 'postal', reason: null, n: 2 }, { channel: 'postal', reason: 'deceased', n: 1 }]);
    expect(await page.locator('.nhsuk-tag').first().innerText()).toBe('fieldwork');
    expect(await page.locator('#lifecycle').innerText()).toMatch(/setup\s*→\s*sampling\s*→\s*fieldwork \(now\)\s*→\s*closed\s*→\s*purged/);
    const [entry] = await t.dataSource.query(`SELECT actor, action FROM audit_log WHERE action = 'mailing.launch'`);
    expect(entry).toEqual({ actor: 'coordinator@example.invalid', action: 'mailing.launch' });

    // Pausing asks why, for the other coordinators to read on this page.
    await page.getByRole('link', { name: 'Pause initial' }).click();
    await page.getByLabel('Why are you pausing it?').fill('Printer asked us to wait');
    await page.getByRole('button', { name: 'Pause the initial mailing' }).click();
    await page.getByText('initial paused: nothing more is printed').waitFor();
    expect(await page.locator('#reason-initial').innerText()).toBe('Printer asked us to wait');
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

  it('shows each precondition before a launch and offers no launch button while one is not met', async () => {
    await t.dataSource.query('UPDATE surveys SET sample_locked_at = NULL');
    await t.dataSource.query('DELETE FROM deceased_checks');
    const password = await userWithPassword(t, 'coordinator@example.invalid', 'coordinator');
    await signIn(page, base, 'coordinator@example.invalid', password);
    await page.goto(`${base}/coordinator/CPES-2026/mailings/reminder_1/launch`);
    const pre = await page.locator('#preconditions').innerText();
    expect(pre).toMatch(/Not yet\s+The sample is locked/);
    expect(pre).toMatch(/Not yet\s+The deceased check is recent enough/);
    expect(pre).toMatch(/Not yet\s+The initial mailing has been launched/);
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);
    await page.getByText('This mailing cannot be launched yet.').waitFor();
    await screenshot(page, 'coordinator-launch-not-ready');
  });

  it('says when a reminder will go, shows it as scheduled until then, and refuses a launch whose numbers changed since the confirmation', async () => {
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    const password = await userWithPassword(t, 'coordinator@example.invalid', 'coordinator');
    await signIn(page, base, 'coordinator@example.invalid', password);
    await page.goto(`${base}/coordinator/CPES-2026/mailings/reminder_1/launch`);
    const due = new Date(Date.now() + 21 * 86_400_000).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
    expect(await page.locator('#when').innerText()).toBe(`Scheduled for ${due}`);
    expect(await page.locator('main').innerText()).toContain(`anyone who responds, opts out or dies before ${due} will not be mailed`);
    await screenshot(page, 'coordinator-launch-scheduled');
    // A patient opts out after the confirmation was shown: its numbers no longer hold.
    await t.http().post(`/api/surveys/CPES-2026/patients/${patients[0].reference}/contacts`).set(t.auth).send({ type: 'opt_out' }).expect(201);
    await page.getByRole('button', { name: 'Schedule: post 3 letters and send 0 e-mails' }).click();
    await page.getByText('the number of patients to mail has changed').waitFor();
    expect(await t.dataSource.query(`SELECT 1 FROM mailing_steps WHERE step = 'reminder_1'`)).toEqual([]);
    await page.goto(`${base}/coordinator/CPES-2026/mailings/reminder_1/launch`);
    expect((await page.locator('#suppressed').innerText()).trim()).toBe('1 opted out');
    await page.getByRole('button', { name: 'Schedule: post 2 letters and send 0 e-mails' }).click();
    await page.getByText(`reminder 1 scheduled for ${due}: 2 letters and 0 e-mails planned; 1 patient held back`).waitFor();
    expect(await page.locator('#state-reminder_1').innerText()).toBe(`scheduled for ${due}`);
    await screenshot(page, 'coordinator-reminder-scheduled');
  });

  it('opens helpline and trust pages on the survey in fieldwork, not a newer one in setup, with a chooser to switch', async () => {
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2027', periodStart: '2027-04-01', periodEnd: '2027-06-30' }).expect(201);
    const listed = await t.http().get('/api/surveys').set(t.auth).expect(200);
    expect(listed.body.surveys.map((s: { code: string; status: string }) => [s.code, s.status])).toEqual([['CPES-2027', 'setup'], ['CPES-2026', 'fieldwork']]);
    const password = await userWithPassword(t, 'jo.helpline@example.invalid', 'helpline');
    await signIn(page, base, 'jo.helpline@example.invalid', password);
    await page.waitForURL(/\/helpline$/);
    expect(await page.getByText(/^Searching /).innerText()).toContain('CPES-2026');
    expect(await page.getByLabel('Survey', { exact: true }).locator('option').allInnerTexts()).toEqual(['CPES-2027 (Adult CPES, setup)', 'CPES-2026 (Adult CPES, fieldwork)']);
    await page.getByLabel('Survey reference').fill(patients[0].reference);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(new RegExp(`/helpline/CPES-2026/patients/${patients[0].reference}$`));
    await page.goto(`${base}/helpline`);
    await page.getByLabel('Survey', { exact: true }).selectOption('CPES-2027');
    await page.getByRole('button', { name: 'Show this survey' }).click();
    expect(await page.getByText(/^Searching /).innerText()).toContain('CPES-2027');
    await screenshot(page, 'helpline-survey-chooser');

    const trustPassword = await userWithPassword(t, 'data.manager@example.invalid', 'trust', 'RXX');
    const trustPage = await (await browser.newContext()).newPage();
    afterThis.push(() => trustPage.context().close());
    await signIn(trustPage, base, 'data.manager@example.invalid', trustPassword);
    await trustPage.waitForURL(/\/trust$/);
    expect(await trustPage.locator('.nhsuk-caption-l').innerText()).toContain('CPES-2026');
    expect(await trustPage.getByLabel('Survey', { exact: true }).inputValue()).toBe('CPES-2026');
    await screenshot(trustPage, 'trust-survey-chooser');
    // Newest first, also between surveys of the same sample period.
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026-B', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    const all = await t.http().get('/api/surveys').set(t.auth).expect(200);
    expect(all.body.surveys.map((x: { code: string }) => x.code)).toEqual(['CPES-2027', 'CPES-2026-B', 'CPES-2026']);
  });

  it('shows a paper return as received, warns that an opt-out after it keeps the response, and shows who called', async () => {
    await t.http().post('/api/surveys/CPES-2026/returns').set(t.auth).send({ reference: patients[0].reference, type: 'completed' }).expect(200);
    const password = await userWithPassword(t, 'jo.helpline@example.invalid', 'helpline');
    await signIn(page, base, 'jo.helpline@example.invalid', password);
    await page.goto(`${base}/helpline/CPES-2026/patients/${patients[0].reference}`);
    expect(await page.locator('.nhsuk-tag').innerText()).toContain('Outcome 1');
    expect(await page.locator('#response').innerText()).toMatch(/^Paper questionnaire received on \d{1,2} [A-Z][a-z]+ \d{4} \(its answers are not yet scanned\)/);
    await page.getByRole('link', { name: 'Opt out' }).click();
    await page.getByLabel('Who called').fill('their daughter');
    await page.getByRole('button', { name: 'Record the opt-out' }).click();
    await page.getByText('this patient has already returned a questionnaire: that response is kept and still counts. Nothing more will be sent.').waitFor();
    const history = await page.getByRole('table').last().innerText();
    expect(history).toMatch(/Who called/);
    expect(history).toMatch(/opt out: not given\s+their daughter\s+jo.helpline@example.invalid/);
    await screenshot(page, 'helpline-opt-out-after-return');
  });

  describe("the patient's online questionnaire", () => {
    const outcomeOf = async (id: string) =>
      (await t.dataSource.query('SELECT outcome FROM patient_outcomes WHERE patient_id = $1', [id]))[0].outcome as number;
    const draft = async (id: string) => (await t.dataSource.query('SELECT answers FROM response_drafts WHERE patient_id = $1', [id]))[0]?.answers;
    const text = () => page.locator('main').innerText();

    it('opens on a start page saying who runs the survey, why, how long it takes, and where to get help', async () => {
      const code = patients[0].access_code;
      await page.goto(`${base}/s/${code}`);
      await page.getByRole('heading', { level: 1, name: 'National Cancer Patient Experience Survey 2026' }).waitFor();
      const start = await text();
      for (const words of ['NHS England', 'Example Hospitals NHS Trust', 'about 20 minutes', 'confidential',
        'will not affect your care', 'your answers are saved', code, '0808 157 0192', 'cpes-helpline@fieldwork.invalid']) {
        expect(start).toContain(words);
      }
      expect(await page.getByRole('link', { name: 'I do not want to take part' }).getAttribute('href')).toBe(`/s/${code}/opt-out`);
      await screenshot(page, 'patient-0-start');
      await page.getByRole('button', { name: 'Start now' }).click();
      await page.waitForURL(new RegExp(`/s/${code}/q/1$`));
      // Section titles and their explanations, as on paper.
      expect(await page.locator('.nhsuk-caption-l').innerText()).toContain('Before you were diagnosed');
      await page.goto(`${base}/s/${code}/q/16`);
      expect(await text()).toContain('A Clinical Nurse Specialist is a nurse who supports you through your cancer care.');
      expect(await page.locator('.nhsuk-caption-l').innerText()).toContain('Your Clinical Nurse Specialist');
      await screenshot(page, 'patient-section-explained');
    });

    it('keeps the ticks on a question sent back with an error, and stores the corrected answer', async () => {
      const { access_code: code, id } = patients[0];
      await page.goto(`${base}/s/${code}/q/39`);
      await page.getByLabel('Surgery').check();
      await page.getByLabel('Radiotherapy').check();
      await page.getByLabel('None of these').check();
      await page.getByRole('button', { name: 'Save and continue' }).click();
      await page.locator('.nhsuk-error-summary').waitFor();
      expect(await page.locator('.nhsuk-error-summary').innerText()).toContain('"None of these" cannot be combined with other options');
      expect(await page.locator('.nhsuk-error-message').innerText()).toContain('cannot be combined');
      expect(await page.title()).toMatch(/^Error: /);
      for (const label of ['Surgery', 'Radiotherapy', 'None of these']) expect([label, await page.getByLabel(label).isChecked()]).toEqual([label, true]);
      expect(await page.getByLabel('Chemotherapy').isChecked()).toBe(false);
      await screenshot(page, 'patient-error-keeps-ticks');
      await page.getByLabel('None of these').uncheck();
      await page.getByRole('button', { name: 'Save and continue' }).click();
      await page.waitForURL(/\/q\/40$/);
      expect((await draft(id)).treatment_types).toEqual(['1', '2']);
    });

    it('asks before sending a questionnaire with nothing answered, then records it as a blank return', async () => {
      const { access_code: code, id } = patients[0];
      await page.goto(`${base}/s/${code}/check`);
      await page.getByRole('button', { name: 'Send my answers' }).click();
      await page.getByRole('heading', { name: 'You have not answered any questions' }).waitFor();
      await screenshot(page, 'patient-blank-confirm');
      // Nothing is recorded until the patient confirms.
      expect(await t.dataSource.query('SELECT * FROM patient_events')).toEqual([]);
      expect(await outcomeOf(id)).toBe(6);
      await page.getByRole('button', { name: 'Send without answers' }).click();
      await page.getByRole('heading', { name: 'Thank you' }).waitFor();
      await screenshot(page, 'patient-blank-sent');
      expect(await outcomeOf(id)).toBe(4);
      expect(await t.dataSource.query('SELECT * FROM responses')).toEqual([]);
      expect(await t.dataSource.query('SELECT kind, source, mode FROM patient_events')).toEqual([{ kind: 'blank_return', source: 'online', mode: null }]);
      await page.goto(`${base}/s/${code}`);
      await page.getByRole('heading', { name: 'You have already taken part' }).waitFor();
    });

    it('never uses the paper wording online: not on any question, nor on the thank-you page', async () => {
      const code = patients[0].access_code;
      const paper = /\btick|\bcircle|\bpost(ed|ing)?\b|freepost|envelope|stamp/i;
      for (let n = 1; n <= 60; n++) {
        const res = await page.context().request.get(`${base}/s/${code}/q/${n}`);
        expect([n, res.status()]).toEqual([n, 200]);
        const html = await res.text();
        const main = html.slice(html.indexOf('<main'), html.indexOf('</main>')).replace(/<[^>]*>/g, ' ');
        expect([n, main.match(paper)?.[0] ?? null]).toEqual([n, null]);
      }
      await page.goto(`${base}/s/${code}/q/1`);
      await page.getByLabel('Once').check();
      await page.getByRole('button', { name: 'Save and continue' }).click();
      await page.goto(`${base}/s/${code}/check`);
      await page.getByRole('button', { name: 'Send my answers' }).click();
      await page.getByRole('heading', { name: 'Thank you' }).waitFor();
      const thanks = await text();
      expect(thanks.match(paper)?.[0] ?? null).toBeNull();
      expect(thanks).toContain('Your answers have been sent');
      await screenshot(page, 'patient-thanks-online');
    });

    it('shows the 0 to 10 scale as one row on a desktop and as a list on a phone', async () => {
      const code = patients[0].access_code;
      const boxes = async () => Promise.all((await page.locator('input[name="answer"]').all())
        .map(async (input) => (await page.locator(`label[for="${await input.getAttribute('id')}"]`).boundingBox())!));
      await page.setViewportSize({ width: 1280, height: 900 });
      // The rating's number follows the questionnaire (questions added before it move it on).
      const rating = (require('../templates/questionnaires/cpes-2026.json') as { sections: { questions: { id: string; number: number }[] }[] })
        .sections.flatMap((s) => s.questions).find((q) => q.id === 'overall_rating')!.number;
      await page.goto(`${base}/s/${code}/q/${rating}`);
      const wide = await boxes();
      expect(wide).toHaveLength(11);
      expect(wide.every((b) => Math.abs(b.y - wide[0].y) < 2)).toBe(true);
      wide.slice(1).forEach((b, i) => expect(b.x).toBeGreaterThanOrEqual(wide[i].x + wide[i].width - 1));
      await screenshot(page, 'patient-rating-desktop');
      await page.setViewportSize({ width: 375, height: 800 });
      const narrow = await boxes();
      narrow.slice(1).forEach((b, i) => expect(b.y).toBeGreaterThanOrEqual(narrow[i].y + narrow[i].height - 1));
      expect(narrow.every((b) => Math.abs(b.x - narrow[0].x) < 2)).toBe(true);
      await screenshot(page, 'patient-rating-phone');
      await page.getByLabel(/^7/).check();
      await page.getByRole('button', { name: 'Save and continue' }).click();
      await page.waitForURL(new RegExp(`/q/${rating + 1}$`));
      expect((await draft(patients[0].id)).overall_rating).toBe(7);
    });

    it('does not open a question the routing skipped: it goes on to the question the routing reaches next', async () => {
      const { access_code: code, id } = patients[0];
      await page.goto(`${base}/s/${code}/q/1`);
      await page.getByLabel('None: I went straight to hospital').check(); // go to 3
      await page.getByRole('button', { name: 'Save and continue' }).click();
      await page.waitForURL(/\/q\/3$/);
      await page.getByLabel('No', { exact: true }).check(); // go to 7
      await page.getByRole('button', { name: 'Save and continue' }).click();
      await page.waitForURL(/\/q\/7$/);
      await page.goto(`${base}/s/${code}/q/2`);
      await page.waitForURL(/\/q\/3$/);
      await page.goto(`${base}/s/${code}/q/5`);
      await page.waitForURL(/\/q\/7$/);
      // Nor can an answer be posted to it.
      const posted = await page.context().request.post(`${base}/s/${code}/q/5`, { form: { answer: '1' }, headers: { Origin: base }, maxRedirects: 0 });
      expect(posted.status()).toBe(303);
      expect(posted.headers().location).toBe(`/s/${code}/q/7`);
      expect(await draft(id)).toEqual({ gp_visits: '1', had_diagnostic_test: '2' });
    });

    it('links every page to the privacy notice, accessibility statement and contact details', async () => {
      const code = patients[0].access_code;
      await page.goto(`${base}/s/${code}/q/1`);
      await page.getByRole('contentinfo').getByRole('link', { name: 'How we use your information' }).click();
      await page.getByRole('heading', { level: 1, name: 'How we use your information' }).waitFor();
      const privacy = await text();
      for (const words of ['Example Hospitals NHS Trust', 'NHS number', 'confidential', '0808 157 0192']) expect(privacy).toContain(words);
      await screenshot(page, 'info-privacy');
      await page.getByRole('contentinfo').getByRole('link', { name: 'Accessibility statement' }).click();
      await page.getByRole('heading', { level: 1, name: 'Accessibility statement' }).waitFor();
      expect(await text()).toContain('large print');
      await screenshot(page, 'info-accessibility');
      await page.getByRole('contentinfo').getByRole('link', { name: 'Contact us' }).click();
      await page.getByRole('heading', { level: 1, name: 'Contact us' }).waitFor();
      const contact = await text();
      expect(contact).toContain('0808 157 0192');
      expect(contact).toContain('cpes-helpline@fieldwork.invalid');
      await screenshot(page, 'info-contact');
      // Without a survey in view: general wording, and still a page of the service.
      await page.goto(`${base}/contact`);
      expect(await text()).toContain('the letter that came with your questionnaire');
      for (const path of ['/login', '/s', '/privacy', '/accessibility']) {
        await page.goto(`${base}${path}`);
        expect([path, await page.getByRole('contentinfo').getByRole('link').allInnerTexts()])
          .toEqual([path, ['How we use your information', 'Accessibility statement', 'Contact us']]);
      }
    });
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
