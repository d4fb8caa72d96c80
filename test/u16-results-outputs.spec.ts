import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { JobQueue } from '../src/infra/queues/job-queue';
import { startApp, TestApp } from './support/app';
import { launchBrowser, screenshot, serve, signIn, userWithPassword } from './support/browser';
import { pdfPages } from './support/pdf';
import { patientRow, Row } from './support/sample-files';
import { U16, U16Patient, u16Survey } from './support/u16-survey';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Under-16 results beyond the scores: the overall-rating report, response rates by age band,
 * the analysts' dataset, the open data and public page, and the local reports, each with the
 * children's answers and the parents' apart.
 *
 * Two PTCs, RXX and RYY, each with 2 children of every band (0-7, 8-11, 12-15; discharged
 * 2026-05-02, aged 5, 6, 10, 10, 13, 13). Every family sends the parent part (RXX rates 8, RYY
 * 6; parent_confidence_staff "1"); children of 8-15 send the child part (RXX rates 10 and
 * child_staff_friendly "1", RYY rates 4 and "2") except the last 12-15 child at RYY.
 * Threshold 4: RYY's 3 children's answers are withheld, everything else shown.
 */
describe('Under-16 results outputs: children\'s and parents\' answers apart', () => {
  let t: TestApp;
  let children: U16Patient[];
  let browser: Browser | undefined;
  let served: string | undefined;
  const base = async () => (served ??= await serve(t));
  const dobs = ['2021-01-01', '2020-01-01', '2016-01-01', '2015-06-01', '2013-01-01', '2012-06-01'];

  beforeAll(async () => {
    t = await startApp();
    const rows: Row[] = ['RXX', 'RYY'].flatMap((trust, ti) => dobs.map((dob, i) => patientRow(ti * 10 + i + 1, {
      trust_code: trust, site_code: `${trust}01`, patient_record_number: `${trust}-${i}`, date_of_birth: dob,
    })));
    children = await u16Survey(t, rows, { suppressionThreshold: 4, publicationAt: '2026-01-01T09:30:00Z' });
    for (const c of children) {
      const post = (part: string, answers: object) => t.http().post(`/api/online/${c.access_code}/response`).send({ part, answers }).expect(201);
      const rxx = c.trust_code === 'RXX';
      await post('parent', { parent_confidence_staff: '1', parent_overall_rating: rxx ? 8 : 6 });
      const lastAtRyy = c.trust_code === 'RYY' && c === children[children.length - 1];
      if (c.questionnaire !== 'u16-0-7' && !lastAtRyy) await post('child', { child_staff_friendly: rxx ? '1' : '2', child_overall_rating: rxx ? 10 : 4 });
    }
  });
  const binary = (res: NodeJS.ReadableStream, cb: (e: Error | null, b: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  };
  const download = async (path: string) => (await t.http().get(path).set(t.auth).buffer(true).parse(binary as never).expect(200)).body as Buffer;
  const CHILD_Q = 'Were the staff friendly and kind to you?';
  const PARENT_Q = 'Did you have confidence and trust in the staff treating your child?';

  afterAll(async () => {
    await browser?.close();
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });

  it('reports the child\'s and the parent\'s overall ratings apart, per PTC and nationally, as JSON and CSV', async () => {
    const { body } = await t.http().get(`/api/surveys/${U16}/reports/overall-rating`).set(t.auth).expect(200);
    expect(body.question).toBeUndefined();
    const row = (r: Obj) => [r.code, r.respondents, r.mean, r.suppressed];
    expect(body.sections.map((s: Obj) => [s.respondent, s.question, s.title, ...s.trusts.map(row), row(s.national)])).toEqual([
      ['child', 'child_overall_rating', 'Answers of children and young people', ['RXX', 4, 10, false], ['RYY', 3, null, true], ['national', 7, 7.4, false]],
      ['parent', 'parent_overall_rating', 'Answers of parents and carers', ['RXX', 6, 8, false], ['RYY', 6, 6, false], ['national', 12, 7, false]],
    ]);
    const csv = await t.http().get(`/api/surveys/${U16}/reports/overall-rating?format=csv`).set(t.auth).expect(200);
    expect(csv.text.trim().split(/\r?\n/)).toEqual([
      'level,code,name,respondents,mean,suppressed,respondent',
      "trust,RXX,Example Children's Hospital NHS Trust,4,10.0,no,child",
      "trust,RYY,Example Children's Hospital RYY NHS Trust,3,,yes,child",
      'national,national,England,7,7.4,no,child',
      "trust,RXX,Example Children's Hospital NHS Trust,6,8.0,no,parent",
      "trust,RYY,Example Children's Hospital RYY NHS Trust,6,6.0,no,parent",
      'national,national,England,12,7.0,no,parent',
    ]);
  });

  it('groups response rates by the survey\'s own age bands', async () => {
    const { body } = await t.http().get(`/api/surveys/${U16}/reports/response-rates`).query({ by: 'age_band' }).set(t.auth).expect(200);
    expect(body.groups.map((g: Obj) => [g.group, g.sampled, g.outcomes[1]])).toEqual([['0–7', 4, 4], ['8–11', 4, 4], ['12–15', 4, 4], ['unknown', 0, 0]]);
  });

  it('codes the child bands in the dataset, says whose parts each row holds and whose answer each column is', async () => {
    const { body } = await t.http().get(`/api/surveys/${U16}/results/dataset`).set(t.auth).expect(200);
    const column = (name: string) => body.columns.find((c: Obj) => c.name === name);
    expect(column('age_band').codes).toEqual([{ code: '1', label: '0–7' }, { code: '2', label: '8–11' }, { code: '3', label: '12–15' }]);
    expect(column('parts_answered').codes).toEqual([
      { code: '1', label: "the child or young person's part only" }, { code: '2', label: "the parent or carer's part only" }, { code: '3', label: 'every part' },
    ]);
    expect(column('q_child_overall_rating')).toMatchObject({ respondent: 'child' });
    expect(column('q_child_overall_rating').meaning).toContain('[answered by the child or young person]');
    expect(column('q_parent_overall_rating')).toMatchObject({ respondent: 'parent' });
    expect(body.rows).toHaveLength(12);
    const tally = (name: string) => body.rows.reduce((n: Obj, r: Obj) => ({ ...n, [r[name]]: (n[r[name]] ?? 0) + 1 }), {});
    expect(tally('age_band')).toEqual({ 1: 4, 2: 4, 3: 4 });
    expect(tally('parts_answered')).toEqual({ 2: 5, 3: 7 });
    const both = body.rows.find((r: Obj) => r.parts_answered === '3');
    expect(both.q_child_overall_rating).not.toBeNull();
    expect(both.q_parent_overall_rating).not.toBeNull();
    const codebook = await t.http().get(`/api/surveys/${U16}/results/codebook?format=csv`).set(t.auth).expect(200);
    expect(codebook.text).toContain('age_band,,code,Age at discharge,,3,12–15');
    expect(codebook.text).toContain("parts_answered,,code,");
  });

  it('marks each line of the scores CSV and the open data with whose answers it scores, in a last respondent column', async () => {
    const scores = (await t.http().get(`/api/surveys/${U16}/results/scores?format=csv`).set(t.auth).expect(200)).text.trim().split(/\r?\n/);
    expect(scores[0]).toBe('question,number,level,code,base,positive,score,expected,adjusted,range95_low,range95_high,range998_low,range998_high,flag,suppressed,respondent');
    expect(scores.filter((l) => l.startsWith('child_staff_friendly,'))).toEqual(expect.arrayContaining([expect.stringMatching(/,national,national,7,4,57\.1,.*,no,child$/)]));
    const national = (await t.http().get(`/results/${U16}/open-data/national.csv`).expect(200)).text.trim().split(/\r?\n/);
    expect(national[0].endsWith(',suppressed,respondent')).toBe(true);
    expect(national.find((l) => l.startsWith('child_staff_friendly,'))!.endsWith(',child')).toBe(true);
    expect(national.find((l) => l.startsWith('parent_confidence_staff,'))).toMatch(/,national,national,12,12,100,.*,no,parent$/);
    const trust = (await t.http().get(`/results/${U16}/open-data/trust.csv`).expect(200)).text;
    expect(trust).toMatch(/child_staff_friendly,\d+,trust,RYY,3,,,.*,yes,child/);
  });

  it('shows the public results page\'s national scores in a children\'s and a parents\' section, each with its respondents', async () => {
    browser ??= await launchBrowser();
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${await base()}/results/${U16}`);
    await page.getByRole('heading', { name: 'Answers of children and young people' }).waitFor();
    await page.getByRole('heading', { name: 'Answers of parents and carers' }).waitFor();
    expect(await page.locator('#national-child-respondents').innerText()).toBe('7 answered this part.');
    expect(await page.locator('#national-parent-respondents').innerText()).toBe('12 answered this part.');
    const child = await page.locator('#national-scores-child').innerText();
    expect(child).toContain(CHILD_Q);
    expect(child).not.toContain(PARENT_Q);
    expect(await page.locator('#national-scores-parent').innerText()).toContain(PARENT_Q);
    expect(await page.locator('#national-scores').count()).toBe(0);
    await screenshot(page, 'u16-results-public');
  });

  it('local reports count each section\'s respondents per PTC and nationally', async () => {
    const sections = async (path: string) => (await t.http().get(`/api/surveys/${U16}/results/reports/${path}`).set(t.auth).expect(200)).body.sections
      .map((s: Obj) => [s.respondent, s.respondents]);
    expect(await sections('trust/RXX')).toEqual([['child', 4], ['parent', 6]]);
    expect(await sections('trust/RYY')).toEqual([['child', 3], ['parent', 6]]);
    expect(await sections('national')).toEqual([['child', 7], ['parent', 12]]);
    const rxx = (await t.http().get(`/api/surveys/${U16}/results/reports/trust/RXX`).set(t.auth).expect(200)).body;
    expect(rxx.scores.find((s: Obj) => s.question === 'child_staff_friendly')).toMatchObject({ respondent: 'child', base: 4, score: 100 });
    expect(rxx.scores.find((s: Obj) => s.question === 'parent_confidence_staff')).toMatchObject({ respondent: 'parent', base: 6 });
  });

  it('the local report PDF puts the children\'s scores and the parents\' under their own headings, with respondents', async () => {
    for (const [path, child, parent] of [['trust/RXX', 4, 6], ['national', 7, 12]] as const) {
      const text = (await pdfPages(await download(`/api/surveys/${U16}/results/reports/${path}?format=pdf`))).join('\n').replace(/\s+/g, ' ');
      const childAt = text.indexOf(`Answers of children and young people ${child} respondents answered this part.`);
      const parentAt = text.indexOf(`Answers of parents and carers ${parent} respondents answered this part.`);
      expect(childAt).toBeGreaterThan(0);
      expect(parentAt).toBeGreaterThan(childAt);
      const childQ = text.indexOf(CHILD_Q, childAt);
      expect(childQ).toBeGreaterThan(childAt);
      expect(childQ).toBeLessThan(parentAt);
      expect(text.indexOf(PARENT_Q, parentAt)).toBeGreaterThan(parentAt);
    }
  });

  it('the local report workbook counts each section\'s respondents and says whose answers each score is', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(`/api/surveys/${U16}/results/reports/trust/RXX?format=xlsx`)) as never);
    const values = (ws: ExcelJS.Worksheet) => ws.getSheetValues().slice(4).filter(Boolean).map((r) => (r as unknown[]).slice(1));
    expect(values(wb.getWorksheet('Response rate')!)).toEqual(expect.arrayContaining([
      ['Respondents: answers of children and young people', 4], ['Respondents: answers of parents and carers', 6],
    ]));
    const scores = wb.getWorksheet('Scores')!;
    const header = (scores.getRow(3).values as unknown[]).slice(1);
    expect(header.at(-1)).toBe('Section');
    const line = (text: string) => values(scores).find((r) => r[1] === text)!;
    expect(line(CHILD_Q).at(-1)).toBe('Answers of children and young people');
    expect(line(PARENT_Q).at(-1)).toBe('Answers of parents and carers');
  });

  it('the local report page shows the children\'s and the parents\' sections of a PTC and of the nation', async () => {
    browser ??= await launchBrowser();
    const page = await (await browser.newContext()).newPage();
    const password = await userWithPassword(t, 'coordinator.u16outputs@example.invalid', 'coordinator');
    await signIn(page, await base(), 'coordinator.u16outputs@example.invalid', password);
    for (const [path, child, parent] of [['trust/RXX', 4, 6], ['national', 7, 12]] as const) {
      await page.goto(`${await base()}/reports/${U16}/${path}`);
      await page.getByRole('heading', { name: 'Answers of children and young people' }).first().waitFor();
      expect(await page.locator('#scores-child-respondents').innerText()).toBe(`${child} respondents answered this part.`);
      expect(await page.locator('#scores-parent-respondents').innerText()).toBe(`${parent} respondents answered this part.`);
      const childTable = await page.locator('#report-scores-child').innerText();
      expect(childTable).toContain(CHILD_Q);
      expect(childTable).not.toContain(PARENT_Q);
      expect(await page.locator('#report-scores-parent').innerText()).toContain(PARENT_Q);
      expect(await page.locator('#frequencies-section-child').innerText()).toBe('Answers of children and young people');
    }
    await screenshot(page, 'u16-local-report-national');
  });
});
