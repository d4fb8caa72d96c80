import type { Browser, Page } from 'playwright-core';
import { syntheticNhsNumber } from '../bench/sample-file-generator';
import { JobQueue } from '../src/infra/queues/job-queue';
import { WavesService } from '../src/mailings/waves.service';
import { RetentionService } from '../src/retention/retention.service';
import { UsersService } from '../src/users/users.service';
import { resetDatabase, startApp, TestApp } from './support/app';
import { areaFile, areaRow } from './support/area-files';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { lockedSurvey } from './support/mailing-survey';
import { cli } from './support/cli';
import { csvFile, patientRow, tmp } from './support/sample-files';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The coordinator's pages for what the command line did alone: a season set up, held, closed and purged from the browser. */
describe('coordinator pages for the whole season', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startApp();
    base = await serve(t);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t.app.close();
  });

  const notice = (page: Page) => page.locator('.nhsuk-notification-banner__heading').innerText();
  const current = (page: Page) => page.locator('#lifecycle [aria-current="step"] strong').innerText();

  it('walks a season from the pages alone: create, trusts, users, a trust upload, lock, deceased check, launch, pause and resume, a scheduled reminder, a helpline call, close, purge', async () => {
    await resetDatabase(t.dataSource);
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    const password = await userWithPassword(t, 'coordinator@example.invalid', 'coordinator');
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, base, 'coordinator@example.invalid', password);

    // No survey yet: the coordinator's home is the form to create one, every setting's default shown.
    await page.waitForURL(/\/coordinator\/surveys\/new$/);
    expect(await page.getByLabel('Minimum age at discharge').inputValue()).toBe('16');
    expect(await page.locator('#retentionDaysAfterClose-hint').innerText()).toContain('Default: 30.');
    await screenshot(page, 'coordinator-setup-1-new-survey');
    await page.getByLabel('Survey code', { exact: true }).fill('CPES-2026');
    await page.locator('#startDay').fill('1');
    await page.locator('#startMonth').fill('4');
    await page.locator('#startYear').fill('2026');
    await page.locator('#endDay').fill('31');
    await page.locator('#endMonth').fill('6'); // 31 June: refused, the other values kept
    await page.locator('#endYear').fill('2026');
    await page.getByLabel('Days patient data is kept after the survey closes').fill('0');
    await page.getByRole('button', { name: 'Create the survey' }).click();
    expect(await page.locator('.nhsuk-error-summary').innerText()).toContain('Enter the last discharge date of the sample period as a real date');
    expect(await page.getByLabel('Survey code', { exact: true }).inputValue()).toBe('CPES-2026');
    expect(await page.getByLabel('Days patient data is kept after the survey closes').inputValue()).toBe('0');
    await screenshot(page, 'coordinator-setup-2-new-survey-error');
    await page.locator('#endDay').fill('30');
    await page.getByRole('button', { name: 'Create the survey' }).click();
    await page.waitForURL(/\/coordinator\?survey=CPES-2026/);
    expect(await notice(page)).toBe('Survey CPES-2026 created for discharges from 1 April 2026 to 30 June 2026. Next, add its trusts and ask them to upload their sample files.');
    expect(await current(page)).toBe('setup (now)');

    // A trust, then its user and a helpline user.
    await page.getByRole('link', { name: 'Trusts' }).click();
    await page.getByLabel('ODS code', { exact: true }).fill('RXX');
    await page.getByLabel('Trust name').fill('Example NHS Trust');
    await page.getByRole('button', { name: 'Add the trust' }).click();
    expect(await notice(page)).toBe('Trust RXX Example NHS Trust added');
    expect(await page.locator('#trusts').innerText()).toContain('Example NHS Trust');
    await screenshot(page, 'coordinator-setup-3-trusts');

    await page.goto(`${base}/coordinator/users`);
    await page.getByLabel('Work e-mail address').fill('data.manager@example.invalid');
    await page.getByLabel(/^Trust user/).check();
    await page.getByLabel('Their trust’s ODS code (trust users only)').fill('RXX');
    await page.getByRole('button', { name: 'Add the user' }).click();
    expect(await notice(page)).toBe('data.manager@example.invalid added as a trust user of RXX');
    const trustPassword = await page.locator('#one-time-password').innerText();
    await page.getByLabel('Work e-mail address').fill('jo.helpline@example.invalid');
    await page.getByLabel(/^Helpline/).check();
    await page.getByRole('button', { name: 'Add the user' }).click();
    const helplineFirstPassword = await page.locator('#one-time-password').innerText();
    await screenshot(page, 'coordinator-setup-4-users');

    // The trust's data manager signs in with the one-time password, chooses their own, uploads the sample.
    const trustContext = await browser.newContext();
    const trustPage = await trustContext.newPage();
    await signIn(trustPage, base, 'data.manager@example.invalid', trustPassword);
    await trustPage.getByLabel('Current password').fill(trustPassword);
    await trustPage.getByLabel('New password').fill('a synthetic passphrase for the trust');
    await trustPage.getByRole('button', { name: /password/i }).click();
    await trustPage.waitForURL(/\/trust$/);
    expect(await current(trustPage)).toBe('setup (now)');
    await trustPage.getByLabel('Sample file').setInputFiles(csvFile('walk-sample.csv', [1, 2, 3].map((n) => patientRow(n))));
    await trustPage.getByRole('button', { name: 'Upload and check' }).click();
    await trustPage.getByRole('heading', { name: 'File accepted' }).waitFor();
    await trustPage.goto(`${base}/trust`);
    expect(await current(trustPage)).toBe('sampling (now)');
    await screenshot(trustPage, 'coordinator-setup-5-trust-sampling');
    await trustContext.close();

    // The area lookup (a survey is purged only once its patients' areas are derived), then the lock.
    await page.goto(`${base}/coordinator?survey=CPES-2026`);
    await page.getByRole('link', { name: 'Area lookup' }).click();
    await page.getByRole('button', { name: 'Import the area lookup' }).click();
    expect(await page.locator('#file-error').innerText()).toContain('Choose the area lookup file to upload');
    await page.getByLabel('Area lookup file').setInputFiles(areaFile('walk-areas.csv', [areaRow('LS1 4AB', 3, '15F')]));
    await page.getByRole('button', { name: 'Import the area lookup' }).click();
    expect(await notice(page)).toContain('Area lookup imported: 1 postcodes');
    await page.goto(`${base}/coordinator/CPES-2026/lock`);
    await screenshot(page, 'coordinator-setup-6-lock');
    await page.getByRole('button', { name: 'Lock the sample of 3 patients' }).click();
    expect(await notice(page)).toBe('Sample of CPES-2026 locked: 3 patients from 1 trust. Trusts can no longer upload or replace files.');

    // The deceased check: patient 3 died.
    await page.getByRole('link', { name: 'Deceased check' }).click();
    const trace = join(tmp, 'walk-trace.csv');
    writeFileSync(trace, `nhs_number,date_of_death\r\n${syntheticNhsNumber(3)},2026-11-01\r\n`);
    await page.getByLabel('Trace response file').setInputFiles(trace);
    await page.getByRole('button', { name: 'Import the trace' }).click();
    expect(await notice(page)).toMatch(/^Deceased check of \d+ \w+ 20\d\d imported: 1 deaths on the trace \(1 new\), 1 of them sampled patients of CPES-2026/);
    await screenshot(page, 'coordinator-setup-7-deaths');

    // Launch the initial mailing, pause it with a reason (none refused), resume it.
    await page.goto(`${base}/coordinator/CPES-2026/mailings/initial/launch`);
    expect(await page.locator('#will-post').innerText()).toBe('2');
    expect(await page.locator('#will-email').innerText()).toBe('0');
    expect((await page.locator('#suppressed').innerText()).trim()).toBe('1 deceased');
    await page.getByRole('button', { name: 'Launch: post 2 letters and send 0 e-mails' }).click();
    await page.waitForURL(/\/coordinator\?survey=CPES-2026/);
    expect(await current(page)).toBe('fieldwork (now)');
    // The ledger holds exactly what the confirmation said: two letters planned, the dead patient held back with the reason.
    expect(await t.dataSource.query(
      `SELECT channel, suppression_reason AS reason, count(*)::int AS n FROM mailings WHERE step = 'initial' GROUP BY 1, 2 ORDER BY 2 NULLS FIRST`,
    )).toEqual([{ channel: 'postal', reason: null, n: 2 }, { channel: 'postal', reason: 'deceased', n: 1 }]);
    await page.getByRole('link', { name: 'Pause initial' }).click();
    await page.getByRole('button', { name: 'Pause the initial mailing' }).click();
    expect(await page.locator('#reason-error').innerText()).toContain('Enter why the mailing is paused');
    await page.getByLabel('Why are you pausing it?').fill('Wrong helpline number on the letter: reprint ordered');
    await screenshot(page, 'coordinator-setup-8-pause');
    await page.getByRole('button', { name: 'Pause the initial mailing' }).click();
    expect(await notice(page)).toContain('initial paused: nothing more is printed or sent until you resume it');
    expect(await page.locator('#state-initial').innerText()).toContain('Wrong helpline number on the letter: reprint ordered');
    await screenshot(page, 'coordinator-setup-9-paused');
    await page.getByRole('button', { name: 'Resume initial' }).click();
    expect(await notice(page)).toBe('initial resumed');

    // The first reminder, scheduled three weeks on from the initial mailing and shown as scheduled until then.
    await page.goto(`${base}/coordinator/CPES-2026/mailings/reminder_1/launch`);
    const due = new Date(Date.now() + 21 * 86_400_000).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
    expect(await page.locator('#when').innerText()).toBe(`Scheduled for ${due}`);
    expect(await page.locator('#will-post').innerText()).toBe('2');
    await page.getByRole('button', { name: 'Schedule: post 2 letters and send 0 e-mails' }).click();
    await page.getByText(`reminder 1 scheduled for ${due}: 2 letters and 0 e-mails planned; 1 patient held back`).waitFor();
    expect(await page.locator('#state-reminder_1').innerText()).toBe(`scheduled for ${due}`);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM mailings WHERE step = 'reminder_1' AND status = 'pending'`)).toEqual([{ n: 2 }]);
    await screenshot(page, 'coordinator-setup-9b-reminder-scheduled');

    // The helpline takes a call: patient 1's daughter says her mother does not want to take part.
    const helplineContext = await browser.newContext();
    const helplinePage = await helplineContext.newPage();
    await signIn(helplinePage, base, 'jo.helpline@example.invalid', helplineFirstPassword);
    await helplinePage.getByLabel('Current password').fill(helplineFirstPassword);
    await helplinePage.getByLabel('New password').fill('a synthetic passphrase for the helpline');
    await helplinePage.getByRole('button', { name: /password/i }).click();
    await helplinePage.waitForURL(/\/helpline$/);
    expect(await current(helplinePage)).toBe('fieldwork (now)');
    await helplinePage.getByLabel('Surname').fill('syntheticb');
    await helplinePage.getByLabel('Postcode').fill('ls14ab');
    await helplinePage.getByLabel('Day').fill('1');
    await helplinePage.getByLabel('Month').fill('1');
    await helplinePage.getByLabel('Year').fill('1950');
    await helplinePage.getByRole('button', { name: 'Search' }).click();
    const [{ survey_reference: reference, id: patientId }] = await t.dataSource.query(`SELECT survey_reference, id FROM patients WHERE patient_record_number = 'PRN1'`);
    await helplinePage.getByRole('link', { name: reference }).click();
    await helplinePage.getByRole('link', { name: 'Opt out' }).click();
    await helplinePage.getByLabel('Reason given (optional)').fill('Her daughter called: she does not wish to take part');
    await helplinePage.getByRole('button', { name: 'Record the opt-out' }).click();
    await helplinePage.getByText('Opted out: no further questionnaires or reminders will be sent.').waitFor();
    expect(await helplinePage.locator('.nhsuk-tag').first().innerText()).toContain('Outcome 4');
    await screenshot(helplinePage, 'coordinator-setup-9c-helpline-opt-out');
    await helplineContext.close();
    // The scheduled reminder's letter to her is still in the ledger: it is held back when it comes due, not when planned.
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM patient_events WHERE patient_id = $1 AND kind = 'opt_out'`, [patientId])).toEqual([{ n: 1 }]);

    // Users: disable the trust's user, give the helpline a new one-time password.
    await page.goto(`${base}/coordinator/users`);
    await page.getByRole('link', { name: 'Disable data.manager@example.invalid' }).click();
    await screenshot(page, 'coordinator-setup-10-user-disable');
    await page.getByRole('button', { name: 'Disable data.manager@example.invalid' }).click();
    expect(await notice(page)).toContain('data.manager@example.invalid is disabled');
    await page.getByRole('button', { name: 'Reset password of jo.helpline@example.invalid' }).click();
    expect(await notice(page)).toContain('jo.helpline@example.invalid has a new one-time password');
    const helplinePassword = await page.locator('#one-time-password').innerText();
    expect(helplinePassword.length).toBeGreaterThanOrEqual(12);
    await screenshot(page, 'coordinator-setup-10-users-reset');
    const users = await t.app.get(UsersService).list();
    expect(users.find((u) => u.email === 'data.manager@example.invalid')?.disabled).toBe(true);
    await expect(t.app.get(UsersService).login('jo.helpline@example.invalid', helplinePassword, '127.0.0.1')).resolves.toMatchObject({ user: { mustChangePassword: true } });

    // Close (the retention date shown), then purge with the survey code typed; a wrong code is refused.
    await page.goto(`${base}/coordinator?survey=CPES-2026`);
    await page.getByRole('link', { name: 'Close the survey' }).click();
    const today = new Date().toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
    expect(await page.locator('#purge-from').innerText()).toBe(today);
    await screenshot(page, 'coordinator-setup-11-close');
    await page.getByRole('button', { name: 'Close CPES-2026' }).click();
    expect(await notice(page)).toBe(`CPES-2026 closed on ${today}: 2 mailing steps paused, 0 one-off packs withdrawn. Patient data may be purged from ${today}.`);
    expect(await current(page)).toBe('closed (now)');
    await page.getByRole('link', { name: 'Purge' }).click();
    expect(await page.locator('#retention-date').innerText()).toBe(today);
    await page.getByLabel('To confirm, type the survey code: CPES-2026').fill('CPES-2025');
    await page.getByRole('button', { name: 'Purge CPES-2026' }).click();
    expect(await page.locator('#confirm-error').innerText()).toContain('Type the survey code, CPES-2026, exactly as shown to confirm the purge');
    expect(await page.getByLabel('To confirm, type the survey code: CPES-2026').inputValue()).toBe('CPES-2025');
    await screenshot(page, 'coordinator-setup-12-purge-refused');
    expect((await t.dataSource.query(`SELECT status FROM surveys`))[0].status).toBe('closed');
    await page.getByLabel('To confirm, type the survey code: CPES-2026').fill('CPES-2026');
    // The purge waits for transactions older than itself to end (other databases' on a shared server too) before rewriting the tables.
    page.setDefaultTimeout(150_000);
    await page.getByRole('button', { name: 'Purge CPES-2026' }).click();
    await page.waitForURL(/\/coordinator\?survey=CPES-2026/, { timeout: 150_000 });
    expect(await notice(page)).toContain("CPES-2026 purged: 3 patients' identifiable data destroyed");
    expect(await current(page)).toBe('purged (now)');
    await screenshot(page, 'coordinator-setup-13-purged');
    await context.close();

    // Each action is in the audit trail under the coordinator's name, as the command line's are under theirs.
    const audited: { action: string }[] = await t.dataSource.query(`SELECT action FROM audit_log WHERE actor_role = 'coordinator' ORDER BY id`);
    expect(audited.map((a) => a.action)).toEqual(expect.arrayContaining([
      'survey.create', 'trust.add', 'user.add', 'areas.import', 'sample.lock', 'deaths.import', 'mailing.launch', 'mailing.pause',
      'mailing.resume', 'user.disable', 'user.reset-password', 'survey.close', 'survey.purge',
    ]));
    expect(audited.filter((a) => a.action === 'survey.purge')).toHaveLength(1); // the refused confirmation changed nothing
    const [{ calls }] = await t.dataSource.query(`SELECT count(*)::int AS calls FROM audit_log WHERE actor = 'jo.helpline@example.invalid'`);
    expect(calls).toBeGreaterThan(0); // the helpline's search, read and opt-out
  }, 300_000);

  describe('over HTTP', () => {
    let cookie: string;
    const tokens: Record<'trust' | 'helpline', string> = { trust: '', helpline: '' };
    beforeAll(async () => {
      await lockedSurvey(t, [patientRow(1), patientRow(2)]);
      await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
      const users = t.app.get(UsersService);
      const password = await userWithPassword(t, 'coordinator@example.invalid', 'coordinator');
      const login = await t.http().post('/login').type('form').send({ email: 'coordinator@example.invalid', password }).expect(303);
      cookie = (login.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
      for (const role of ['trust', 'helpline'] as const) {
        const { user } = await users.add({ email: `${role}@example.invalid`, role, trustCode: role === 'trust' ? 'RXX' : undefined }, 'test');
        tokens[role] = (await users.createToken(user.id, 'tests')).token;
      }
    });
    const post = (path: string, form: Record<string, string> = {}) => t.http().post(path).set('Cookie', cookie).type('form').send(form);

    it('names each wrong setting beside its field in a sentence and keeps what was typed', async () => {
      const res = await post('/coordinator/surveys', {
        code: 'CPES-2027', startDay: '1', startMonth: '4', startYear: '2027', endDay: '30', endMonth: '6', endYear: '2027',
        minimumAge: 'sixteen', reminder1: '21', reminder2: '14', helplinePhone: '999', icd10Scope: 'C00-C97, cancer',
      }).expect(400);
      expect(res.text).toContain('There is a problem');
      expect(res.text).toContain('<span class="nhsuk-u-visually-hidden">Error:</span> Enter the minimum age as a whole number from 0 to 120');
      expect(res.text).toContain('Enter the days before the second reminder as a whole number from 1 to 365, later than the first reminder');
      expect(res.text).toContain('Enter the helpline number as a UK telephone number, for example 0808 157 0192');
      expect(res.text).toContain('Enter the ICD-10 codes in scope as codes or ranges separated by commas');
      expect(res.text).toMatch(/id="minimumAge" name="minimumAge" type="text" value="sixteen"/);
      expect(res.text).toContain('href="#reminder2"');
      expect(await t.dataSource.query(`SELECT code FROM surveys WHERE code = 'CPES-2027'`)).toEqual([]);

      const all = await post('/coordinator/surveys', { code: 'cpes 2027', startDay: '1', startMonth: '13', startYear: '2027', endDay: '30', endMonth: '6', endYear: '2027', suppressionThreshold: '0' }).expect(400);
      expect(all.text).toContain('Enter the survey code in capitals, digits and hyphens, for example CPES-2027');
      expect(all.text).toContain('Enter the first discharge date of the sample period as a real date, for example 1 4 2026');
      expect(all.text).toContain('Enter the fewest respondents for a published result as a whole number from 1 to 1000');
      expect(all.text).toContain('value="13"');

      const order = await post('/coordinator/surveys', { code: 'CPES-2027', startDay: '1', startMonth: '7', startYear: '2027', endDay: '30', endMonth: '6', endYear: '2027' }).expect(400);
      expect(order.text).toContain('The sample period must start on or before its end');
      const taken = await post('/coordinator/surveys', { code: 'CPES-2026', startDay: '1', startMonth: '4', startYear: '2026', endDay: '30', endMonth: '6', endYear: '2026' }).expect(400);
      expect(taken.text).toContain('A survey with that code already exists: choose another code');
      const badTrust = await post('/coordinator/trusts', { code: 'rx', name: '', icb: 'Z1' }).expect(400);
      expect(badTrust.text).toContain('Enter the trust’s ODS code: 3 to 5 capitals or digits, for example RXX');
    });

    it('refuses a user of an unknown trust, a pause without a reason and a purge with the wrong code, saying what to do', async () => {
      const unknown = await post('/coordinator/users', { email: 'new.person@example.invalid', role: 'trust', trust: 'RZZ' }).expect(400);
      expect(unknown.text).toContain('There is no trust with that code: check the code, or add the trust first on the Trusts page');
      expect(unknown.text).toContain('value="new.person@example.invalid"');
      const noTrust = await post('/coordinator/users', { email: 'new.person@example.invalid', role: 'trust', trust: '' }).expect(400);
      expect(noTrust.text).toContain('Enter the ODS code of the trust this person works for, for example RXX');

      const noReason = await post('/coordinator/CPES-2026/mailings/initial/pause', { reason: '   ' }).expect(400);
      expect(noReason.text).toContain('Enter why the mailing is paused, for the other coordinators to read');
      expect((await t.app.get(WavesService).status('CPES-2026', 'initial')).steps[0].paused).toBe(false);
      const retried = await post('/coordinator/CPES-2026/mailings/initial/retry-failed').expect(303);
      expect(decodeURIComponent(retried.headers.location)).toContain('initial: 0 letters and 0 e-mails set to be tried again.');

      await t.app.get(RetentionService).close('CPES-2026', 'test');
      const wrong = await post('/coordinator/CPES-2026/purge', { confirm: 'cpes-2026' }).expect(400);
      expect(wrong.text).toContain('Type the survey code, CPES-2026, exactly as shown to confirm the purge');
      // The right code before the retention period has passed: the service's refusal, with the date.
      const early = await post('/coordinator/CPES-2026/purge', { confirm: 'CPES-2026' }).expect(409);
      expect(early.text).toMatch(/its data must be kept until \d{1,2} [A-Z][a-z]+ \d{4}/);
      expect((await t.dataSource.query(`SELECT status FROM surveys WHERE code = 'CPES-2026'`))[0].status).toBe('closed');
    });

    it('gives a new one-time password from the command line as from the page, ending the user’s sessions', async () => {
      const users = t.app.get(UsersService);
      const { oneTimePassword } = await users.add({ email: 'forgetful@example.invalid', role: 'helpline' }, 'test');
      const { session } = await users.login('forgetful@example.invalid', oneTimePassword, '127.0.0.1');
      const run = await cli(['user:reset-password', '--email', 'Forgetful@example.invalid', '--json']);
      expect(run.code).toBe(0);
      expect(run.json).toMatchObject({ user: { email: 'forgetful@example.invalid', mustChangePassword: true } });
      expect(await users.fromSession(session)).toBeUndefined();
      await expect(users.login('forgetful@example.invalid', oneTimePassword, '127.0.0.1')).rejects.toThrow('not right');
      await expect(users.login('forgetful@example.invalid', run.json.oneTimePassword, '127.0.0.1')).resolves.toMatchObject({ user: { email: 'forgetful@example.invalid' } });
      const [entry] = await t.dataSource.query(`SELECT action, subject FROM audit_log WHERE action = 'cli.user:reset-password'`);
      expect(entry).toEqual({ action: 'cli.user:reset-password', subject: 'Forgetful@example.invalid' }); // as typed, like every command's subject
      // A disabled user stays disabled: no password is handed out for them.
      await users.disable('forgetful@example.invalid');
      const refused = await post('/coordinator/users/forgetful%40example.invalid/reset-password').expect(404);
      expect(refused.text).toContain('No active user has that e-mail address');
    });

    it('refuses trust and helpline users on every coordinator page added here', async () => {
      const routes: [string, string][] = [
        ['get', '/coordinator/surveys/new'], ['post', '/coordinator/surveys'], ['get', '/coordinator/trusts'], ['post', '/coordinator/trusts'],
        ['get', '/coordinator/areas'], ['post', '/coordinator/areas'], ['get', '/coordinator/CPES-2026/deaths'], ['post', '/coordinator/CPES-2026/deaths'],
        ['get', '/coordinator/CPES-2026/lock'], ['post', '/coordinator/CPES-2026/lock'], ['get', '/coordinator/users'], ['post', '/coordinator/users'],
        ['get', '/coordinator/users/coordinator%40example.invalid/disable'], ['post', '/coordinator/users/coordinator%40example.invalid/disable'], ['post', '/coordinator/users/coordinator%40example.invalid/reset-password'],
        ['get', '/coordinator/CPES-2026/mailings/initial/pause'], ['post', '/coordinator/CPES-2026/mailings/initial/pause'],
        ['post', '/coordinator/CPES-2026/mailings/initial/retry-failed'], ['get', '/coordinator/CPES-2026/close'], ['post', '/coordinator/CPES-2026/close'],
        ['get', '/coordinator/CPES-2026/purge'], ['post', '/coordinator/CPES-2026/purge'],
      ];
      for (const role of ['trust', 'helpline'] as const) {
        for (const [method, path] of routes) {
          const res = await (t.http() as unknown as Record<string, (p: string) => { set: (h: object) => Promise<{ status: number; text: string }> }>)[method](path)
            .set({ Authorization: `Bearer ${tokens[role]}` });
          expect([role, method, path, res.status]).toEqual([role, method, path, 403]);
          expect(res.text).toContain('You do not have access');
        }
      }
      // What they may see shows where the survey stands, as the coordinator's page does.
      for (const [role, path] of [['trust', '/trust'], ['helpline', '/helpline']] as const) {
        const res = await t.http().get(path).set({ Authorization: `Bearer ${tokens[role]}` }).expect(200);
        expect(res.text).toMatch(/id="lifecycle"[\s\S]*aria-current="step"[^>]*>(<span[^>]*>→<\/span>)?<strong>closed \(now\)<\/strong>/);
      }
      // Nothing changed for them: the coordinator's account still works, no survey was closed by them.
      expect((await t.app.get(UsersService).byEmail('coordinator@example.invalid')).disabled).toBe(false);
    });
  });
});
