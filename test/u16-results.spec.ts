import type { Browser } from 'playwright-core';
import { JobQueue } from '../src/infra/queues/job-queue';
import { startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { patientRow, Row } from './support/sample-files';
import { U16, U16Patient, u16Survey } from './support/u16-survey';

/**
 * Under-16 results: every band's questions pooled by reportKey, the children's answers and the
 * parents' reported as separate sections, per PTC and nationally.
 *
 * Two PTCs, RXX and RYY, each with 2 children of every band (0-7, 8-11, 12-15). Every family
 * sends the parent part (parent_confidence_staff "1", positive); children of 8-15 send the child
 * part (child_staff_friendly: RXX "1" positive, RYY "2" other) except one 12-15 child at RYY.
 */
describe('Under-16 results: children\'s and parents\' answers apart', () => {
  let t: TestApp;
  let children: U16Patient[];
  const dobs = ['2021-01-01', '2020-01-01', '2016-01-01', '2015-06-01', '2013-01-01', '2012-06-01'];

  beforeAll(async () => {
    t = await startApp();
    const rows: Row[] = ['RXX', 'RYY'].flatMap((trust, ti) => dobs.map((dob, i) => patientRow(ti * 10 + i + 1, {
      trust_code: trust, site_code: `${trust}01`, patient_record_number: `${trust}-${i}`, date_of_birth: dob,
    })));
    children = await u16Survey(t, rows, { suppressionThreshold: 1 });
    for (const c of children) {
      const post = (part: string, answers: object) => t.http().post(`/api/online/${c.access_code}/response`).send({ part, answers }).expect(201);
      await post('parent', { parent_confidence_staff: '1' });
      const lastAtRyy = c.trust_code === 'RYY' && c === children[children.length - 1];
      if (c.questionnaire !== 'u16-0-7' && !lastAtRyy) await post('child', { child_staff_friendly: c.trust_code === 'RXX' ? '1' : '2' });
    }
  });
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });

  it('sets the children up in their bands, at two PTCs', () => {
    expect(children.map((c) => `${c.trust_code} ${c.questionnaire}`)).toEqual(['RXX', 'RYY'].flatMap((trust) =>
      ['u16-0-7', 'u16-0-7', 'u16-8-11', 'u16-8-11', 'u16-12-15', 'u16-12-15'].map((q) => `${trust} ${q}`)));
  });

  it('scores each question once, pooled over the bands, marked with who answered it; sections count their respondents per PTC and nationally', async () => {
    const { body } = await t.http().get(`/api/surveys/${U16}/results/scores`).set(t.auth).expect(200);
    expect(body.respondents).toBe(12);
    const q = (id: string) => body.questions.find((x: { question: string }) => x.question === id);
    expect(body.questions.filter((x: { question: string }) => x.question === 'child_staff_friendly')).toHaveLength(1);

    const child = q('child_staff_friendly');
    expect(child.respondent).toBe('child');
    expect(child.national).toMatchObject({ base: 7, positive: 4 });
    expect(child.trusts.map((x: { trust: string; base: number; positive: number }) => [x.trust, x.base, x.positive])).toEqual([['RXX', 4, 4], ['RYY', 3, 0]]);

    const parent = q('parent_confidence_staff');
    expect(parent.respondent).toBe('parent');
    expect(parent.national).toMatchObject({ base: 12, positive: 12, score: 100 });
    expect(parent.trusts.map((x: { trust: string; base: number }) => [x.trust, x.base])).toEqual([['RXX', 6], ['RYY', 6]]);

    expect(body.sections.map((s: { respondent: string; title: string }) => [s.respondent, s.title])).toEqual([
      ['child', 'Answers of children and young people'], ['parent', 'Answers of parents and carers'],
    ]);
    const [childSection, parentSection] = body.sections;
    expect(childSection.questions).toContain('child_staff_friendly');
    expect(childSection.questions.every((id: string) => id.startsWith('child_'))).toBe(true);
    expect(parentSection.questions.every((id: string) => id.startsWith('parent_'))).toBe(true);
    expect(childSection.national.respondents).toBe(7);
    expect(childSection.trusts).toEqual([{ trust: 'RXX', respondents: 4 }, { trust: 'RYY', respondents: 3 }]);
    expect(parentSection.national.respondents).toBe(12);
  });

  it('frequencies say who answered; the age breakdown is by the survey\'s own bands', async () => {
    const freq = await t.http().get(`/api/surveys/${U16}/results/frequencies`).set(t.auth).expect(200);
    const rating = freq.body.questions.find((x: { question: string }) => x.question === 'child_overall_rating');
    expect(rating.respondent).toBe('child');
    const byAge = await t.http().get(`/api/surveys/${U16}/results/breakdown`).query({ by: 'age_band' }).set(t.auth).expect(200);
    expect(byAge.body.groups.map((g: { group: string }) => g.group)).toEqual(['0–7', '8–11', '12–15']);
    const cell = (group: string, id: string) => byAge.body.groups.find((g: { group: string }) => g.group === group)
      .questions.find((x: { question: string }) => x.question === id);
    expect(cell('0–7', 'parent_confidence_staff').base).toBe(4);
    expect(cell('0–7', 'child_staff_friendly').base).toBe(0);
    expect(cell('12–15', 'child_staff_friendly').base).toBe(3);
  });

  it('shows a PTC\'s results and the national ones in a children\'s and a parents\' section', async () => {
    const base = await serve(t);
    browser = await launchBrowser();
    const page = await (await browser.newContext()).newPage();
    const password = await userWithPassword(t, 'coordinator.u16@example.invalid', 'coordinator');
    await signIn(page, base, 'coordinator.u16@example.invalid', password);

    await page.goto(`${base}/trust/results/${U16}/RXX`);
    await page.getByRole('heading', { name: 'Answers of children and young people' }).waitFor();
    await page.getByRole('heading', { name: 'Answers of parents and carers' }).waitFor();
    const childTable = await page.locator('#trust-scores-child').innerText();
    const parentTable = await page.locator('#trust-scores-parent').innerText();
    expect(childTable).toContain('Were the staff friendly and kind to you?');
    expect(childTable).not.toContain('Did you have confidence and trust in the staff treating your child?');
    expect(parentTable).toContain('Did you have confidence and trust in the staff treating your child?');
    await screenshot(page, 'u16-results-trust');

    await page.goto(`${base}/coordinator/${U16}/results`);
    expect(await page.locator('#national-scores-child').innerText()).toContain('Were the staff friendly and kind to you?');
    expect(await page.locator('#national-scores-parent').innerText()).toContain('Did you have confidence and trust in the staff treating your child?');
    await screenshot(page, 'u16-results-national');
  });
});
