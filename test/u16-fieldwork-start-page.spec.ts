import type { Browser, Page } from 'playwright-core';
import { JobQueue } from '../src/infra/queues/job-queue';
import { WavesService } from '../src/mailings/waves.service';
import { UsersService } from '../src/users/users.service';
import { startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { U16, u16Survey } from './support/u16-survey';

/** The coordinator sets the Under-16 survey's fieldwork start date from the pages, until the initial mailing is launched. */
describe('Fieldwork start date from the coordinator pages', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startApp();
    base = await serve(t);
    browser = await launchBrowser();
    await u16Survey(t);
    // u16Survey chose questionnaires as a launch would; the launch below chooses them again on the date set here.
    await t.dataSource.query('UPDATE patients SET questionnaire = NULL');
  });
  afterAll(async () => {
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await browser?.close();
    await t.app.close();
  });

  const setting = async () => (await t.dataSource.query(`SELECT settings->>'fieldworkStart' AS d FROM surveys WHERE code = $1`, [U16]))[0].d;
  const notice = (page: Page) => page.locator('.nhsuk-notification-banner__heading').innerText();
  const fill = async (page: Page, day: string, month: string, year: string) => {
    await page.locator('#startDay').fill(day);
    await page.locator('#startMonth').fill(month);
    await page.locator('#startYear').fill(year);
    await page.getByRole('button', { name: 'Set the fieldwork start date' }).click();
  };

  it('sets the date (audited), refuses a date that is not one, and refuses any change once the initial mailing has gone', async () => {
    const password = await userWithPassword(t, 'coordinator@example.invalid', 'coordinator');
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, base, 'coordinator@example.invalid', password);
    await page.goto(`${base}/coordinator?survey=${U16}`);
    await page.getByRole('link', { name: 'Fieldwork start date' }).click();
    await page.waitForURL(new RegExp(`/coordinator/${U16}/fieldwork-start$`));
    expect(await page.locator('#fieldwork-start').innerText()).toBe('No date set: fieldwork starts on the day the initial mailing is launched.');
    expect(await page.locator('main').innerText()).toContain('ages 0 to 7, 8 to 11, 12 to 15');

    await fill(page, '31', '2', '2027');
    expect(await page.locator('.nhsuk-error-summary').innerText()).toContain('Enter the day fieldwork starts as a real date, for example 1 9 2026');
    expect(await page.locator('#startDay').inputValue()).toBe('31');
    expect(await setting()).toBeNull();

    await fill(page, '1', '9', '2026');
    await page.waitForURL(new RegExp(`/coordinator\\?survey=${U16}`));
    expect(await notice(page)).toBe(`Fieldwork of ${U16} starts on 1 September 2026: each patient's questionnaire will be chosen by their age on that day when the initial mailing is launched.`);
    expect(await page.locator('#survey-kind').innerText()).toContain('fieldwork starts 1 September 2026');
    expect(await setting()).toBe('2026-09-01');
    await screenshot(page, 'u16-fieldwork-start-set');

    // The form shows the date set; the page is left open while someone launches the initial mailing.
    await page.goto(`${base}/coordinator/${U16}/fieldwork-start`);
    expect(await page.locator('#startDay').inputValue()).toBe('1');
    expect(await page.locator('#startMonth').inputValue()).toBe('9');
    expect(await page.locator('#fieldwork-start').innerText()).toBe('Fieldwork starts on 1 September 2026.');
    await t.app.get(WavesService).launch(U16, 'initial', 'test');
    // Chosen by age on 1 September 2026: Poppy (born 2022) 0-7, Oliver (2016) 8-11, Alexandra-Rose (2012) 12-15.
    expect((await t.dataSource.query('SELECT questionnaire FROM patients ORDER BY row_number')).map((r: { questionnaire: string }) => r.questionnaire))
      .toEqual(['u16-0-7', 'u16-8-11', 'u16-12-15']);

    await fill(page, '1', '10', '2026');
    expect(await page.locator('.nhsuk-error-summary').innerText()).toContain(
      `The fieldwork start of ${U16} can no longer be changed: its first mailing has been launched (fieldwork started on 2026-09-01)`);
    expect(await page.locator('#fieldwork-started').innerText()).toContain('The date can no longer be changed');
    expect(await page.getByRole('button', { name: 'Set the fieldwork start date' }).count()).toBe(0);
    await screenshot(page, 'u16-fieldwork-start-refused');
    expect(await setting()).toBe('2026-09-01');
    await context.close();

    const audited = await t.dataSource.query(`SELECT a.actor, s.code AS survey FROM audit_log a JOIN surveys s ON s.id = a.survey_id WHERE a.action = 'survey.fieldwork-start'`);
    expect(audited).toEqual([{ actor: 'coordinator@example.invalid', survey: U16 }]); // the refused ones changed nothing
  }, 120_000);

  it('is for coordinators only, refuses a post from another site, and a crafted post of objects', async () => {
    const users = t.app.get(UsersService);
    for (const role of ['helpline', 'trust'] as const) {
      const { user } = await users.add({ email: `${role}.fw@example.invalid`, role, trustCode: role === 'trust' ? 'RXX' : undefined }, 'test');
      const token = (await users.createToken(user.id, 'tests')).token;
      await t.http().get(`/coordinator/${U16}/fieldwork-start`).set({ Authorization: `Bearer ${token}` }).expect(403);
      await t.http().post(`/coordinator/${U16}/fieldwork-start`).set({ Authorization: `Bearer ${token}` }).type('form')
        .send({ startDay: '1', startMonth: '9', startYear: '2026' }).expect(403);
    }
    await t.dataSource.query(`UPDATE surveys SET status = 'sampling', settings = settings - 'fieldworkStart' WHERE code = $1`, [U16]);
    const password = await userWithPassword(t, 'coord2@example.invalid', 'coordinator');
    const login = await t.http().post('/login').type('form').send({ email: 'coord2@example.invalid', password }).expect(303);
    const cookie = (login.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
    const cross = await t.http().post(`/coordinator/${U16}/fieldwork-start`).set({ Cookie: cookie, Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' })
      .type('form').send({ startDay: '1', startMonth: '9', startYear: '2026' });
    expect(cross.status).toBe(403);
    const crafted = await t.http().post(`/coordinator/${U16}/fieldwork-start`).set({ Cookie: cookie }).type('form')
      .send('startDay[a]=1&startMonth=9&startYear=2026').expect(400);
    expect(crafted.text).toContain('Enter the day fieldwork starts as a real date, for example 1 9 2026');
    expect(await setting()).toBeNull();
  });
});
