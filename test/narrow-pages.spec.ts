import type { Browser, Page } from 'playwright-core';
import { WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { lockedSurvey, SampledPatient, settled, startWorkers } from './support/mailing-survey';
import { csvFile, patientRow } from './support/sample-files';

/** The elements reaching past the screen's right edge, for the failure message. */
async function widest(page: Page): Promise<string> {
  return page.evaluate(`[...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > 376 && e.closest('.fw-table-scroll, .nhsuk-table') === null)
    .slice(0, 4).map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')).join(', ')`);
}

/** Staff pages on a phone, and the date of birth in three boxes, in a real browser. */
describe('staff pages in a browser: phone width and the date input', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let patients: SampledPatient[];

  beforeAll(async () => {
    t = await startApp();
    base = await serve(t);
    browser = await launchBrowser();
    patients = await lockedSurvey(t, [
      patientRow(1, { surname: 'Quillfeather', date_of_birth: '1950-03-27', email: 'quill@example.invalid' }), patientRow(2), patientRow(3),
      patientRow(4, { date_of_birth: '2015-01-01', patient_record_number: 'A-VERY-LONG-RECORD-NUMBER-THAT-DOES-NOT-BREAK-0000000001' }),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await t.app.close();
  });

  async function signedIn(role: 'coordinator' | 'helpline' | 'trust', width = 375): Promise<Page> {
    const email = `${role}.${width}@example.invalid`;
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM users WHERE email = $1', [email]);
    const password = n ? `a synthetic passphrase for ${role}` : await userWithPassword(t, email, role, role === 'trust' ? 'RXX' : undefined);
    const page = await (await browser.newContext({ viewport: { width, height: 800 } })).newPage();
    await signIn(page, base, email, password);
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    return page;
  }

  it('takes the date of birth as Day, Month and Year, refuses 31 2 1950 with a sentence and keeps what was typed', async () => {
    const page = await signedIn('helpline', 1024);
    await page.goto(`${base}/helpline`);
    await page.getByLabel('Surname').fill('quillfeather');
    await page.getByLabel('Postcode').fill('LS1 4AB');
    await page.getByLabel('Day').fill('31');
    await page.getByLabel('Month').fill('2');
    await page.getByLabel('Year').fill('1950');
    await page.getByRole('button', { name: 'Search' }).click();
    const error = 'Enter the date of birth as a real date, for example 27 3 1950.';
    await page.locator('.nhsuk-error-message', { hasText: error }).waitFor();
    expect(await page.locator('.nhsuk-error-summary').innerText()).toContain(error);
    expect(await page.locator('.nhsuk-error-summary a').first().getAttribute('href')).toBe('#dateOfBirth-day');
    expect([await page.getByLabel('Day').inputValue(), await page.getByLabel('Month').inputValue(), await page.getByLabel('Year').inputValue()]).toEqual(['31', '2', '1950']);
    expect(await page.getByLabel('Surname').inputValue()).toBe('quillfeather');
    await screenshot(page, 'helpline-date-of-birth-error');

    await page.getByLabel('Day').fill('');
    await page.getByLabel('Month').fill('');
    await page.getByLabel('Year').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('.nhsuk-error-message', { hasText: 'Enter the date of birth, for example 27 3 1950.' }).waitFor();

    await page.getByLabel('Day').fill('27');
    await page.getByLabel('Month').fill('03');
    await page.getByLabel('Year').fill('1950');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: '1 patient found' }).waitFor();
    expect(await page.getByRole('table').innerText()).toContain('27 March 1950');
    await page.getByRole('link', { name: patients[0].reference }).click();
    await page.getByRole('heading', { name: /Quillfeather/ }).waitFor();
    expect(await page.locator('.nhsuk-summary-list').first().innerText()).toMatch(/Date of birth\s+27 March 1950/);
    await page.context().close();
  });

  it('fits a 375 px wide screen on every trust, helpline and coordinator page: tables scroll inside their box, the page never does', async () => {
    const workers = await startWorkers();
    try {
      await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
      await settled(t, 'initial');
    } finally {
      await workers.close();
    }
    const [{ id: fileId }] = await t.dataSource.query('SELECT id FROM sample_files ORDER BY uploaded_at DESC LIMIT 1');
    const step = 'reminder_1';
    const wide: string[] = [];
    const check = async (page: Page, path: string, name: string) => {
      await page.goto(base + path);
      const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
      if (width > 375) wide.push(`${path}: ${width} px, wider than the screen: ${await widest(page)}`);
      await screenshot(page, `narrow-${name}`);
    };

    const trust = await signedIn('trust');
    await check(trust, '/trust', 'trust');
    await check(trust, `/trust/files/${fileId}?survey=CPES-2026&trust=RXX`, 'trust-report');
    await check(trust, '/trust/sample-format', 'trust-sample-format');
    await check(trust, '/trust/results', 'trust-results');
    await trust.context().close();

    const helpline = await signedIn('helpline');
    await check(helpline, '/helpline', 'helpline-search');
    await check(helpline, '/helpline?survey=CPES-2026&surname=Quillfeather&postcode=LS1+4AB&dateOfBirth-day=27&dateOfBirth-month=3&dateOfBirth-year=1950', 'helpline-found');
    // A call in the history, so the patient page has both of its tables.
    await helpline.goto(`${base}/helpline/CPES-2026/patients/${patients[0].reference}/log/query`);
    await helpline.getByLabel('What the caller asked').fill('Asked whether the questionnaire can be answered by a relative on their behalf');
    await helpline.getByRole('button', { name: 'Record it' }).click();
    await helpline.waitForURL(/done=/);
    await check(helpline, `/helpline/CPES-2026/patients/${patients[0].reference}`, 'helpline-patient');
    await check(helpline, `/helpline/CPES-2026/patients/${patients[0].reference}/log/address_change`, 'helpline-log');
    await helpline.context().close();

    const coordinator = await signedIn('coordinator');
    await check(coordinator, '/coordinator?survey=CPES-2026', 'coordinator');
    await check(coordinator, `/coordinator/CPES-2026/mailings/${step}/launch`, 'coordinator-launch');
    await check(coordinator, '/coordinator/CPES-2026/reports', 'coordinator-reports');
    await check(coordinator, '/coordinator/audit', 'coordinator-audit');
    await check(coordinator, '/coordinator/results?survey=CPES-2026', 'coordinator-results');
    await check(coordinator, '/trust?survey=CPES-2026&trust=RXX', 'coordinator-trust');
    for (const path of ['/coordinator/surveys/new', '/coordinator/trusts', '/coordinator/areas', '/coordinator/CPES-2026/deaths', '/coordinator/CPES-2026/lock',
      '/coordinator/users', '/coordinator/CPES-2026/mailings/initial/pause', '/coordinator/CPES-2026/close', '/coordinator/CPES-2026/purge']) {
      await check(coordinator, path, `coordinator${path.replace(/\/(coordinator|CPES-2026)/g, '').replace(/\//g, '-')}`);
    }
    await coordinator.context().close();
    expect(wide).toEqual([]);
  }, 150_000);

  it('shows a rejected file\'s problem tables within a 375 px screen', async () => {
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2027', periodStart: '2027-04-01', periodEnd: '2027-06-30' }).expect(201);
    const rows = [1, 2].map((n) => patientRow(n, { nhs_number: '9990000017', email: 'not-an-address-but-a-very-long-string-without-spaces-at-all' }));
    const upload = await t.http().post('/api/surveys/CPES-2027/trusts/RXX/sample-files').set(t.auth).attach('file', csvFile('rejected.csv', rows)).expect(201);
    const page = await signedIn('trust');
    await page.goto(`${base}/trust/files/${upload.body.fileId}?survey=CPES-2027&trust=RXX`);
    await page.getByRole('heading', { name: 'File rejected' }).waitFor();
    const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    await screenshot(page, 'narrow-trust-rejected');
    expect(width).toBeLessThanOrEqual(375);
    await page.context().close();
  });
});
