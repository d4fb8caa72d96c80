import type { Browser, Page } from 'playwright-core';
import { JobQueue } from '../src/infra/queues/job-queue';
import { startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve } from './support/browser';
import { U16Patient, u16Survey } from './support/u16-survey';

/** The Under-16 online questionnaire in a real browser: who is answering, then each part on its own. */
describe('Under-16 online pages', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  let young: U16Patient;
  let middle: U16Patient;

  beforeAll(async () => {
    t = await startApp();
    base = await serve(t);
    browser = await launchBrowser();
    [young, middle] = await u16Survey(t);
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });

  const answer = async (label: string, button = 'Save and continue') => {
    await page.getByLabel(label, { exact: true }).check();
    await page.getByRole('button', { name: button }).click();
  };

  it('lets the child and the parent each answer their own part, at different times, with one code', async () => {
    const code = middle.access_code;
    await page.goto(`${base}/s`);
    await page.getByLabel('Access code').fill(code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(new RegExp(`/s/${code}$`));
    await page.getByRole('heading', { name: 'Who is answering?' }).waitFor();
    await screenshot(page, 'u16-1-who');
    // The whole-questionnaire pages lead back here: a questionnaire in parts is answered a part at a time.
    await page.goto(`${base}/s/${code}/q/1`);
    await page.waitForURL(new RegExp(`/s/${code}$`));

    await page.getByRole('button', { name: 'Start: I am the child or young person' }).click();
    await page.waitForURL(new RegExp(`/s/${code}/p/child$`));
    await screenshot(page, 'u16-2-child-start');
    await page.getByRole('button', { name: 'Start now' }).click();
    await page.waitForURL(/\/p\/child\/q\/1$/);
    expect(await page.locator('.nhsuk-caption-l').innerText()).toContain('For the child or young person to answer');
    expect(await page.locator('.nhsuk-caption-l').innerText()).toContain('Question 1 of 12');
    await screenshot(page, 'u16-3-child-question');
    await answer('Yes, always');
    await page.waitForURL(/\/p\/child\/q\/2$/);
    // Question 5: "No, I did not stay a night" skips the ward questions (6, 7).
    await page.goto(`${base}/s/${code}/p/child/q/5`);
    await answer('No');
    await page.waitForURL(/\/p\/child\/q\/8$/);

    // The parent starts their part meanwhile, in another browser: the child's answers are not theirs.
    const other = await browser.newContext();
    const parentPage = await other.newPage();
    await parentPage.goto(`${base}/s/${code}`);
    await parentPage.getByRole('button', { name: 'Start: I am the parent or carer' }).click();
    await parentPage.getByRole('button', { name: 'Start now' }).click();
    await parentPage.waitForURL(/\/p\/parent\/q\/1$/);
    await parentPage.getByLabel('Once', { exact: true }).check();
    await parentPage.getByRole('button', { name: 'Save and continue' }).click();
    await parentPage.waitForURL(/\/p\/parent\/q\/2$/);

    await page.goto(`${base}/s/${code}/p/child/check`);
    await screenshot(page, 'u16-4-child-check');
    const keys = await page.locator('.nhsuk-summary-list__key').allInnerTexts();
    expect(keys.map((k) => k.split('.')[0])).toEqual(['1', '2', '3', '4', '5', '8', '9', '10', '11', '12']);
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('The part for the parent or carer can still be filled in');
    await screenshot(page, 'u16-5-child-thanks');

    // Back at the start: the child's part is sent, the parent's continues where it stopped.
    await page.goto(`${base}/s/${code}`);
    expect(await page.locator('main').innerText()).toContain('Sent');
    expect(await page.getByRole('button', { name: 'Start: I am the child or young person' }).count()).toBe(0);
    await page.goto(`${base}/s/${code}/p/child/q/1`);
    await page.getByRole('heading', { name: 'This part has been sent' }).waitFor();

    await parentPage.goto(`${base}/s/${code}`);
    await parentPage.getByRole('button', { name: 'Continue: I am the parent or carer' }).click();
    await parentPage.getByRole('button', { name: 'Continue where you left off' }).click();
    await parentPage.waitForURL(/\/p\/parent\/q\/2$/);
    await parentPage.goto(`${base}/s/${code}/p/parent/check`);
    await parentPage.getByRole('button', { name: 'Send my answers' }).click();
    await parentPage.getByRole('heading', { name: 'Thank you' }).waitFor();
    expect(await parentPage.locator('main').innerText()).toContain('There is nothing more you need to do');
    await other.close();

    const rows = await t.dataSource.query('SELECT part, answers FROM responses WHERE patient_id = $1 ORDER BY part', [middle.id]);
    expect(rows).toEqual([
      { part: 'child', answers: { child_told_understood: '1', child_stayed_overnight: '2' } },
      { part: 'parent', answers: { parent_gp_visits: '2' } },
    ]);
    await page.goto(`${base}/s/${code}`);
    await page.getByRole('heading', { name: 'You have already taken part' }).waitFor();
  });

  it('a part the questionnaire does not have: a "no such part" page (404) offering who is answering, not "access code not found"', async () => {
    const code = middle.access_code.toLowerCase();
    for (const path of [`/s/${code}/p/nonsense`, `/s/${code}/p/nonsense/q/1`, `/s/${code}/p/whole/check`]) {
      const res = await page.goto(`${base}${path}`);
      expect(res!.status()).toBe(404);
      await page.getByRole('heading', { name: 'There is no such part of the questionnaire' }).waitFor();
      expect(await page.locator('main').innerText()).toContain('Your access code is fine: start again from the page asking who is answering.');
      expect(await page.locator('main').innerText()).not.toContain('could not find');
    }
    await screenshot(page, 'u16-7-no-such-part');
    await page.getByRole('link', { name: 'Choose who is answering' }).click();
    await page.waitForURL(new RegExp(`/s/${middle.access_code}$`));
    // A sent answer to a part that does not exist changes nothing.
    const posted = await page.request.post(`${base}/s/${middle.access_code}/p/nonsense/q/1`, { form: { answer: '1' } });
    expect(posted.status()).toBe(404);
    expect(await posted.text()).toContain('There is no such part of the questionnaire');
    // An unknown code is still "not found", whatever part the address names.
    await page.goto(`${base}/s/AAAA-BBBB-CCCC/p/nonsense`);
    await page.getByRole('heading', { name: 'We could not find that access code' }).waitFor();
  });

  it('0-7: only the parent or carer part; a part sent blank is not returned and can be filled in later', async () => {
    const code = young.access_code;
    await page.goto(`${base}/s/${code}`);
    expect(await page.locator('main').innerText()).toContain('This questionnaire is for the parent or carer to fill in.');
    expect(await page.getByRole('button', { name: /child or young person/ }).count()).toBe(0);
    // The 0-7 questionnaire has no child's part: the code is good, so the page says so and offers the start.
    await page.goto(`${base}/s/${code}/p/child`);
    await page.getByRole('heading', { name: 'There is no such part of the questionnaire' }).waitFor();

    await page.goto(`${base}/s/${code}/p/parent/check`);
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.waitForURL(/\/p\/parent\/nothing-answered$/);
    expect(await page.locator('main').innerText()).toContain('nothing will be sent');
    await screenshot(page, 'u16-6-blank-part');
    await page.getByRole('button', { name: 'Send without answers' }).click();
    await page.getByRole('heading', { name: 'Thank you' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('Nothing was sent for this part');
    const [{ outcome }] = await t.dataSource.query('SELECT outcome FROM patient_outcomes WHERE patient_id = $1', [young.id]);
    expect(outcome).toBe(6);
    await page.goto(`${base}/s/${code}`);
    await page.getByRole('button', { name: 'Start: I am the parent or carer' }).waitFor();
  });
});
