import type { Browser, Page } from 'playwright-core';
import { startApp, TestApp } from './support/app';
import { launchBrowser, serve, signIn, userWithPassword } from './support/browser';
import { PublicationService } from '../src/results/publication.service';
import { pdfPages } from './support/pdf';
import { seedResultsSurvey } from './support/results-survey';

/** A local report's page in a real browser, on the synthetic survey of support/results-survey.ts (RAA Q2: 71.4, range 28.1–93.9, within; RBB Q2 withheld). */
describe('local report pages in a browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  const passwords: Record<string, string> = {};
  beforeAll(async () => {
    t = await startApp();
    await seedResultsSurvey(t);
    passwords.coordinator = await userWithPassword(t, 'reports.coordinator@example.invalid', 'coordinator');
    passwords.trust = await userWithPassword(t, 'rbb.page@example.invalid', 'trust', 'RBB');
    base = await serve(t);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t.app.close();
  });
  beforeEach(async () => { page = await (await browser.newContext({ acceptDownloads: true })).newPage(); });
  afterEach(() => page.context().close());

  const cells = async (selector: string) => (await page.locator(`${selector} th, ${selector} td`).allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());

  it("shows a trust's report with its chart, change, comments section and working downloads", async () => {
    await signIn(page, base, 'reports.coordinator@example.invalid', passwords.coordinator);
    await page.waitForURL(/\/coordinator$/);
    await page.goto(`${base}/reports/CPES-2026/trust/RAA`);
    await page.getByRole('heading', { level: 1, name: 'Synthetic RAA NHS Trust' }).waitFor();
    expect(await page.locator('#response-rate-figures').innerText()).toContain('95.7%');
    const q2 = await cells('#score-2');
    expect(q2.slice(1, 6)).toEqual(['21', '71.4', '71.4', '28.1 to 93.9 Within the expected range', '61.0']);
    expect(q2[7]).toContain('+31.4 (was 40.0), significant');
    // The dot sits inside the 99.8% bar, and the national line at 61.0 on the 10–180 scale.
    const dot = Number(await page.locator('#score-2 .fw-range__dot').getAttribute('cx'));
    const outerX = Number(await page.locator('#score-2 .fw-range__outer').getAttribute('x'));
    const outerW = Number(await page.locator('#score-2 .fw-range__outer').getAttribute('width'));
    expect(dot).toBeCloseTo(10 + 0.714 * 170, 0);
    expect(dot).toBeGreaterThan(outerX);
    expect(dot).toBeLessThan(outerX + outerW);
    expect(Number(await page.locator('#score-2 .fw-range__national').getAttribute('x1'))).toBeCloseTo(10 + 0.61 * 170, 0);
    expect(await cells('#score-1')).toContain('fewer than 21 respondents');
    expect(await page.locator('#no-comments').innerText()).toBe('There are no comments to show for this trust.');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download this report as a PDF' }).click()]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect((await pdfPages(Buffer.concat(chunks)))[0]).toContain('Synthetic RAA NHS Trust');
  });

  it("shows an ICB's report without expected ranges, and a trust user only their own trust's", async () => {
    await signIn(page, base, 'reports.coordinator@example.invalid', passwords.coordinator);
    await page.waitForURL(/\/coordinator$/);
    await page.goto(`${base}/reports/CPES-2026/icb/QWO`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect((await cells('#score-2')).slice(1, 4)).toEqual(['41', '61.0', '61.0']);
    expect(await page.locator('#report-scores .fw-range__outer').count()).toBe(0);
    expect(await page.locator('#comments').count()).toBe(0);

    const other = await (await browser.newContext()).newPage();
    await signIn(other, base, 'rbb.page@example.invalid', passwords.trust);
    await other.waitForURL(/\/trust/);
    await other.goto(`${base}/reports/CPES-2026/trust/RBB`);
    expect(await other.locator('#score-2').innerText()).toContain('fewer than 21 respondents');
    const refused = await other.goto(`${base}/reports/CPES-2026/trust/RAA`);
    expect(refused!.status()).toBe(403);
    // Before publication the page says when the results will be published, and nothing more.
    const publication = t.app.get(PublicationService);
    await publication.set('CPES-2026', '2099-06-10T09:30:00Z', { id: 'test', role: 'coordinator' });
    try {
      const embargoed = await other.goto(`${base}/reports/CPES-2026/trust/RBB`);
      expect(embargoed!.status()).toBe(403);
      await other.getByRole('heading', { level: 1, name: 'These results are not published yet' }).waitFor();
      expect(await other.locator('main').innerText()).toContain('2099');
      expect(await other.locator('#report-scores').count()).toBe(0);
    } finally {
      await publication.set('CPES-2026', '2026-01-01T09:30:00Z', { id: 'test', role: 'coordinator' });
    }
    await other.context().close();
  });
});
