import type { Browser } from 'playwright-core';
import { JobQueue } from '../src/infra/queues/job-queue';
import { startApp, TestApp } from './support/app';
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
});
