import type { Browser, Page } from 'playwright-core';
import { startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { cli } from './support/cli';
import { seedResultsSurvey } from './support/results-survey';

/**
 * The public results page and the signed-in results pages in a real browser, before and after
 * the survey's publicationAt, on the synthetic survey of support/results-survey.ts (national
 * Q2 61.0; RAA 71.4; RBB withheld).
 */
describe('results pages before and after publication, in a browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  const passwords: Record<string, string> = {};
  const Q2 = 'Did the healthcare professional at your GP practice explain the reasons for referring you to hospital?';
  const WILL = 'Results of CPES-2026 survey will be published on 10 June 2099 at 9:30am.';
  beforeAll(async () => {
    t = await startApp();
    await seedResultsSurvey(t);
    passwords.trust = await userWithPassword(t, 'rbb.unlisted@example.invalid', 'trust', 'RBB');
    passwords.helpline = await userWithPassword(t, 'helpline.listed@example.invalid', 'helpline');
    expect((await cli(['results:prerelease', '--survey', 'CPES-2026', '--add', 'helpline.listed@example.invalid', '--json'])).code).toBe(0);
    expect((await cli(['results:publication', '--survey', 'CPES-2026', '--at', '2099-06-10T08:30:00Z', '--json'])).code).toBe(0);
    base = await serve(t);
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t.app.close();
  });
  beforeEach(async () => {
    page = await (await browser.newContext()).newPage();
  });
  afterEach(() => page.context().close());

  const main = () => page.locator('main').innerText();

  it('before publication, the public page says only when results will be published', async () => {
    const opened = await page.goto(`${base}/results/CPES-2026`);
    expect(opened!.status()).toBe(200);
    await page.getByRole('heading', { level: 1, name: 'Results of CPES-2026 survey' }).waitFor();
    expect(await page.locator('#publication').innerText()).toBe(WILL);
    const text = await main();
    for (const figure of ['61.0', '71.4', 'RAA', 'RBB', 'respondents', 'csv']) expect([figure, text.includes(figure)]).toEqual([figure, false]);
    expect(await page.locator('main table, main a[href*="open-data"]').count()).toBe(0);
    await screenshot(page, 'publication-1-public-before');

    const csv = await page.context().request.get(`${base}/results/CPES-2026/open-data/trust.csv`);
    expect([csv.status(), await csv.text()]).toEqual([403, `${WILL}\n`]);
    const unknown = await page.goto(`${base}/results/CPES-2099`);
    expect(unknown!.status()).toBe(404);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  });

  it('before publication, refuses an unlisted trust user with the date, and shows a listed helpline user every result', async () => {
    await signIn(page, base, 'rbb.unlisted@example.invalid', passwords.trust);
    await page.waitForURL(/\/trust$/);
    const refused = await page.goto(`${base}/trust/results/CPES-2026/RBB`);
    expect(refused!.status()).toBe(403);
    await page.getByRole('heading', { level: 1, name: 'These results are not published yet' }).waitFor();
    expect(await main()).toContain(WILL);
    expect(await main()).not.toContain('61.0');
    await screenshot(page, 'publication-2-trust-before');
    await page.context().clearCookies();

    await signIn(page, base, 'helpline.listed@example.invalid', passwords.helpline);
    await page.waitForURL(/\/helpline$/);
    expect((await page.goto(`${base}/coordinator/CPES-2026/results`))!.status()).toBe(200);
    expect(await page.locator('#league-table tbody tr').count()).toBe(1);
    expect(await page.getByRole('link', { name: /^Back to/ }).count()).toBe(0); // the survey's coordinator page is not theirs
    expect((await page.goto(`${base}/trust/results/CPES-2026/RAA`))!.status()).toBe(200);
    expect(await page.locator('#trust-scores tbody tr').filter({ hasText: Q2 }).innerText()).toContain('71.4');
    await page.getByRole('link', { name: 'Back to the national results' }).click();
    await page.getByRole('heading', { level: 1, name: 'Results: CPES-2026' }).waitFor();
    const trail = await t.dataSource.query(`SELECT action, subject FROM audit_log WHERE actor = 'helpline.listed@example.invalid' ORDER BY id`);
    const national = { action: 'results.page.national', subject: null };
    expect(trail).toEqual([national, { action: 'results.page.trust', subject: 'RAA' }, national]);
  });

  it('from publication, the public page shows the national scores and open data without sign-in', async () => {
    expect((await cli(['results:publication', '--survey', 'CPES-2026', '--at', '2026-01-01T09:30:00Z', '--json'])).code).toBe(0);
    await page.goto(`${base}/results/CPES-2026`);
    expect(await page.locator('#publication').innerText()).toBe('Results of CPES-2026 survey were published on 1 January 2026 at 9:30am.');
    const row = page.locator('#national-scores tbody tr').filter({ hasText: Q2 });
    expect((await row.locator('th, td').allInnerTexts()).map((s) => s.trim())).toEqual([`2. ${Q2}`, '41', '61.0']);
    expect(await main()).not.toContain('RAA');
    const links = page.locator('#open-data-files a');
    expect(await links.allInnerTexts()).toEqual([
      'National scores (national.csv)', 'Scores by integrated care board (ICB) (icb.csv)', 'Scores by Cancer Alliance (alliance.csv)',
      'Scores by trust, with case-mix adjusted scores and expected ranges (trust.csv)',
    ]);
    await screenshot(page, 'publication-3-public-after');
    const trustCsv = await page.context().request.get(`${base}${await links.nth(3).getAttribute('href')}`);
    expect(trustCsv.status()).toBe(200);
    expect((await trustCsv.text()).split('\r\n')).toContain('gp_explained_referral,2,trust,RBB,20,,,,,,,,,,yes');

    // The trust user now sees their own trust; the listed helpline user only the public tables.
    await signIn(page, base, 'rbb.unlisted@example.invalid', passwords.trust);
    await page.waitForURL(/\/trust$/);
    expect((await page.goto(`${base}/trust/results/CPES-2026/RBB`))!.status()).toBe(200);
    expect((await page.goto(`${base}/trust/results/CPES-2026/RAA`))!.status()).toBe(403);
    await page.context().clearCookies();
    await signIn(page, base, 'helpline.listed@example.invalid', passwords.helpline);
    await page.waitForURL(/\/helpline$/);
    expect((await page.goto(`${base}/trust/results/CPES-2026/RAA`))!.status()).toBe(403);
    expect((await page.goto(`${base}/results/CPES-2026`))!.status()).toBe(200);
  }, 120_000);
});
