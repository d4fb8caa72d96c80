import type { Browser, Locator, Page } from 'playwright-core';
import { startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { seedResultsSurvey } from './support/results-survey';

/**
 * The results pages in a real browser, on the small synthetic survey of support/results-survey.ts,
 * whose figures are worked by hand from RESULTS-METHOD.md:
 *
 * Everyone shares one case mix, so the model is its intercept alone and every expected score is
 * the national one. Q2 (gp_explained_referral): "1" positive, "2"/"3" other, "4" excluded.
 *   CPES-2026  RAA: 15 × "1", 6 × "3", 1 × "4" (22 respondents, base 21); one blank return.
 *              RBB: 10 × "1", 10 × "2" (base 20: one short of the threshold, 21).
 *              National: 25 positive of 41 = 60.9756 → 61.0.
 *              RAA: O = 15/21 = 71.43 → adjusted 71.4; range N ± z √(N(1 − N)/21) = 60.9756 ± z × 10.6448
 *              → 95%: 40.1–81.8; 99.8%: 28.1–93.9 → within.
 *   CPES-2025  RAA: 10 × "1", 15 × "3" (base 25) = 40.0: RAA's +31.4 is significant, so net improvement 1.
 * League: RAA ranked 1 (0 above, 1 within, 0 below, mean adjusted 71.4); RBB (20 respondents) not ranked.
 * Every other evaluative question has an empty base: withheld everywhere.
 */
describe('results pages in a browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  const passwords: Record<string, string> = {};
  const Q2 = 'Did the healthcare professional at your GP practice explain the reasons for referring you to hospital?';
  const RECURRENCE = 'Were you told about the signs and symptoms to look out for that might mean your cancer has come back or spread?';
  beforeAll(async () => {
    t = await startApp();
    await seedResultsSurvey(t); // its comment gives the data and the hand-worked figures
    passwords.coordinator = await userWithPassword(t, 'results.coordinator@example.invalid', 'coordinator');
    passwords.trust = await userWithPassword(t, 'rbb.results@example.invalid', 'trust', 'RBB');
    base = await serve(t);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t.app.close();
  });
  beforeEach(async () => {
    page = await (await browser.newContext()).newPage();
  });
  afterEach(() => page.context().close());

  const cells = async (row: Locator) => (await row.locator('th, td').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
  const rowOf = (table: Locator, text: string) => table.locator('tbody tr').filter({ hasText: text });
  /** A number attribute of an SVG element. */
  const num = async (l: Locator, name: string) => Number(await l.getAttribute(name));

  it("shows a coordinator the national scores and the league table, and opens a trust's results from there", async () => {
    await signIn(page, base, 'results.coordinator@example.invalid', passwords.coordinator);
    await page.waitForURL(/\/coordinator$/);
    await page.getByRole('link', { name: /^Results: national scores/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Results: CPES-2026' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('42 respondents');

    const national = page.locator('#national-scores');
    expect(await cells(rowOf(national, Q2))).toEqual([`2. ${Q2}`, '41', '61.0']);
    expect(await cells(rowOf(national, RECURRENCE))).toEqual([expect.stringContaining(RECURRENCE), '0', 'fewer than 21 respondents']);

    const league = page.locator('#league-table');
    expect(await league.locator('thead th').allInnerTexts()).toEqual(['Rank', 'Trust', 'Questions above', 'Within', 'Below', 'Mean adjusted score', 'Net improvement since CPES-2025']);
    expect(await Promise.all((await league.locator('tbody tr').all()).map(cells))).toEqual([['1', 'Synthetic RAA NHS Trust RAA', '0', '1', '0', '71.4', '1']]);
    expect(await page.locator('main').innerText()).toContain('1 trust has fewer than 21 respondents and is not ranked.');
    // The explanation of the figures is on the page.
    expect(await page.locator('details').textContent()).toContain('Adjusted score');
    await page.locator('details summary').click();
    await screenshot(page, 'results-1-national');

    // Choose a trust: a plain form, which works without script.
    await page.context().close();
    page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await signIn(page, base, 'results.coordinator@example.invalid', passwords.coordinator);
    await page.waitForURL(/\/coordinator$/);
    await page.goto(`${base}/coordinator/results?survey=CPES-2026`);
    expect(page.url()).toBe(`${base}/coordinator/CPES-2026/results`);
    await page.getByLabel('Trust', { exact: true }).selectOption('RAA');
    await page.getByRole('button', { name: "Show the trust's results" }).click();
    await page.getByRole('heading', { level: 1, name: 'Results: Synthetic RAA NHS Trust' }).waitFor();
    expect(page.url()).toBe(`${base}/trust/results/CPES-2026/RAA`);
    // Each view is in the audit trail: who read which survey's results, and which trust's.
    const trail = await t.dataSource.query(`SELECT a.action, a.actor, s.code AS survey, a.subject FROM audit_log a JOIN surveys s ON s.id = a.survey_id
      WHERE a.action LIKE 'results.page.%' ORDER BY a.id`);
    const nationalView = { action: 'results.page.national', actor: 'results.coordinator@example.invalid', survey: 'CPES-2026', subject: null };
    expect(trail).toEqual([nationalView, nationalView, // the page seen twice: with and without script
      { action: 'results.page.trust', actor: 'results.coordinator@example.invalid', survey: 'CPES-2026', subject: 'RAA' },
    ]);
  });

  it("draws a trust's adjusted score as a dot inside its expected range, and withholds what rests on fewer than 21 respondents", async () => {
    await signIn(page, base, 'results.coordinator@example.invalid', passwords.coordinator);
    await page.waitForURL(/\/coordinator$/);
    const opened = await page.goto(`${base}/trust/results/CPES-2026/RAA`);
    expect([opened!.status(), await page.locator('h1').innerText()]).toEqual([200, 'Results: Synthetic RAA NHS Trust']);
    const table = page.locator('#trust-scores');
    const q2 = rowOf(table, Q2);
    const [question, score, adjusted, nationalScore, , result] = await cells(q2);
    expect([question, score, adjusted, nationalScore, result]).toEqual([`2. ${Q2} 21 respondents`, '71.4', '71.4', '61.0', 'Within the expected range']);
    // The chart in words for screen readers: the numbers and the flag.
    expect(await q2.locator('.nhsuk-u-visually-hidden').filter({ hasText: 'Adjusted score' }).innerText())
      .toBe('Adjusted score 71.4; expected range 28.1 to 93.9 (95% range 40.1 to 81.8); national score 61.0: within the expected range.');

    // The geometry, read against the chart's own 0 and 100 ticks.
    const svg = q2.locator('svg.fw-range');
    expect(await svg.getAttribute('aria-hidden')).toBe('true');
    const x0 = await num(svg.locator('text.fw-range__tick', { hasText: /^0$/ }), 'x');
    const x100 = await num(svg.locator('text.fw-range__tick', { hasText: /^100$/ }), 'x');
    expect(x100).toBeGreaterThan(x0);
    const on = (v: number) => x0 + ((x100 - x0) * v) / 100;
    const dot = await num(svg.locator('circle.fw-range__dot'), 'cx');
    expect(dot).toBeCloseTo(on(71.4), 1);
    const outer = svg.locator('rect.fw-range__outer');
    expect(await num(outer, 'x')).toBeCloseTo(on(28.1), 1);
    expect((await num(outer, 'x')) + (await num(outer, 'width'))).toBeCloseTo(on(93.9), 1);
    const inner = svg.locator('rect.fw-range__inner');
    expect(await num(inner, 'x')).toBeCloseTo(on(40.1), 1);
    expect((await num(inner, 'x')) + (await num(inner, 'width'))).toBeCloseTo(on(81.8), 1);
    expect(await num(svg.locator('line.fw-range__national'), 'x1')).toBeCloseTo(on(61.0), 1);
    // As drawn on screen: the dot sits inside the 99.8% bar, right of the 95% bar's start.
    const dotBox = (await svg.locator('circle.fw-range__dot').boundingBox())!;
    const barBox = (await outer.boundingBox())!;
    const centre = dotBox.x + dotBox.width / 2;
    expect(centre).toBeGreaterThan(barBox.x);
    expect(centre).toBeLessThan(barBox.x + barBox.width);
    expect(Math.abs(dotBox.y + dotBox.height / 2 - (barBox.y + barBox.height / 2))).toBeLessThan(1);

    // A question with nobody in its base: withheld, no chart.
    const withheld = rowOf(table, RECURRENCE);
    expect((await cells(withheld)).slice(0, 2)).toEqual([expect.stringContaining(`. ${RECURRENCE} 0 respondents`), 'fewer than 21 respondents']);
    expect(await withheld.locator('svg').count()).toBe(0);
    expect(await page.locator('#summary').innerText()).toMatch(/0 questions above the expected range\s+1 within the expected range\s+0 below the expected range\s+45 not shown: fewer than 21 respondents/);
    await screenshot(page, 'results-2-trust-raa');
    await page.setViewportSize({ width: 375, height: 800 });
    await q2.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${__dirname}/../test-output/screenshots/results-3-trust-raa-phone.png` });
    expect((await svg.boundingBox())!.width).toBeLessThanOrEqual(375);

    // Once the survey's figures are computed, a trust's page answers quickly.
    const views = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'results.page.trust' AND subject = 'RAA'`))[0].n as number;
    const viewsBefore = await views();
    const started = performance.now();
    const again = await page.context().request.get(`${base}/trust/results/CPES-2026/RAA`);
    expect(again.status()).toBe(200);
    expect(performance.now() - started).toBeLessThan(300);
    // The view was recorded before the page left.
    expect(await views()).toBe(viewsBefore + 1);
  });

  it("shows a trust user their own trust and the national figures only, and refuses another trust's results", async () => {
    await signIn(page, base, 'rbb.results@example.invalid', passwords.trust);
    await page.waitForURL(/\/trust$/);
    await page.getByRole('link', { name: "Your trust's survey results" }).click();
    await page.getByRole('heading', { level: 1, name: 'Results: Synthetic RBB NHS Trust' }).waitFor();
    const q2 = rowOf(page.locator('#trust-scores'), Q2);
    // 20 in the base, one short of the threshold: withheld; the national score is still shown.
    expect(await cells(q2)).toEqual([`2. ${Q2} 20 respondents`, 'fewer than 21 respondents', '– not shown', '61.0', '– not shown', '– not shown']);
    expect(await q2.locator('svg').count()).toBe(0);
    const main = await page.locator('main').innerText();
    expect(main).not.toContain('RAA');
    expect(main).not.toContain('71.4');
    await screenshot(page, 'results-4-trust-user');

    const refused = await page.goto(`${base}/trust/results?survey=CPES-2026&trust=RAA`);
    expect(refused!.status()).toBe(403);
    expect(page.url()).toBe(`${base}/trust/results/CPES-2026/RAA`);
    await page.getByRole('heading', { name: 'You do not have access' }).waitFor();
    expect(await page.locator('main').innerText()).not.toContain('71.4');
    await screenshot(page, 'results-5-trust-user-refused');
    expect((await page.goto(`${base}/coordinator/CPES-2026/results`))!.status()).toBe(403);
    expect(await t.dataSource.query(`SELECT subject FROM audit_log WHERE action LIKE 'results.page.%' AND actor = 'rbb.results@example.invalid'`)).toEqual([{ subject: 'RBB' }]);
  });
});
