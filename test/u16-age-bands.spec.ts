import { JobQueue } from '../src/infra/queues/job-queue';
import { ResultsService } from '../src/results/results.service';
import { startApp, TestApp } from './support/app';
import { patientRow, Row } from './support/sample-files';
import { U16, U16Patient, u16Survey } from './support/u16-survey';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * An Under-16 survey with age bands of its own (0–4, 5–9, 10–15, naming the usual three
 * questionnaires): the results place children by those bands, as response rates by group and
 * the dataset do, not by the default 0–7, 8–11, 12–15.
 *
 * One PTC, RXX, discharged 2026-05-02: aged 3 (0–4); 6 and 8 (5–9: 0–7 and 8–11 by default);
 * 11, 13 and 15 (10–15: 8–11 and 12–15 by default). Every family sends the parent part
 * (parent_confidence_staff "1" for the first of each band, "2" for the rest); the children of
 * 5–15 send the child part (child_staff_friendly "1"). Threshold 1: nothing withheld.
 */
describe('Under-16 results by the survey\'s own age bands', () => {
  let t: TestApp;
  let children: U16Patient[];
  const BANDS = ['0–4', '5–9', '10–15'];
  const dobs = ['2023-01-01', '2020-01-01', '2017-06-01', '2015-01-01', '2013-01-01', '2011-01-01'];
  const firstOfBand = new Set([0, 1, 3]);

  beforeAll(async () => {
    t = await startApp();
    const rows: Row[] = dobs.map((dob, i) => patientRow(i + 1, { patient_record_number: `RXX-${i}`, date_of_birth: dob }));
    children = await u16Survey(t, rows, {
      suppressionThreshold: 1,
      questionnaireByAge: [
        { fromAge: 0, toAge: 4, questionnaire: 'u16-0-7' },
        { fromAge: 5, toAge: 9, questionnaire: 'u16-8-11' },
        { fromAge: 10, toAge: 15, questionnaire: 'u16-12-15' },
      ],
    });
    for (const [i, c] of children.entries()) {
      const post = (part: string, answers: object) => t.http().post(`/api/online/${c.access_code}/response`).send({ part, answers }).expect(201);
      await post('parent', { parent_confidence_staff: firstOfBand.has(i) ? '1' : '2' });
      if (c.questionnaire !== 'u16-0-7') await post('child', { child_staff_friendly: '1' });
    }
  });
  afterAll(async () => {
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });

  it('gives each child the questionnaire of their band', () => {
    expect(children.map((c) => c.questionnaire)).toEqual(['u16-0-7', 'u16-8-11', 'u16-8-11', 'u16-12-15', 'u16-12-15', 'u16-12-15']);
  });

  it('breaks the results down by the survey\'s bands, agreeing with response rates by group and the dataset\'s codebook', async () => {
    const byAge = (await t.http().get(`/api/surveys/${U16}/results/breakdown`).query({ by: 'age_band' }).set(t.auth).expect(200)).body;
    expect(byAge.groups.map((g: Obj) => g.group)).toEqual(BANDS);
    const cells = (id: string) => byAge.groups.map((g: Obj) => g.questions.find((q: Obj) => q.question === id))
      .map((q: Obj) => [q.base, q.positive, q.score]);
    expect(cells('parent_confidence_staff')).toEqual([[1, 1, 100], [2, 1, 50], [3, 1, 33.3]]);
    expect(cells('child_staff_friendly')).toEqual([[0, null, null], [2, 2, 100], [3, 3, 100]]);

    const rates = (await t.http().get(`/api/surveys/${U16}/reports/response-rates`).query({ by: 'age_band' }).set(t.auth).expect(200)).body;
    expect(rates.groups.map((g: Obj) => [g.group, g.sampled, g.outcomes[1]])).toEqual([['0–4', 1, 1], ['5–9', 2, 2], ['10–15', 3, 3], ['unknown', 0, 0]]);
    // Every family answered the parent part: its base per band is the band's respondents.
    expect(rates.groups.slice(0, 3).map((g: Obj) => g.outcomes[1])).toEqual(cells('parent_confidence_staff').map(([base]: number[]) => base));

    const dataset = (await t.http().get(`/api/surveys/${U16}/results/dataset`).set(t.auth).expect(200)).body;
    const codes = dataset.columns.find((c: Obj) => c.name === 'age_band').codes;
    expect(codes).toEqual(BANDS.map((label, i) => ({ code: String(i + 1), label })));
    const tally = dataset.rows.reduce((n: Obj, r: Obj) => ({ ...n, [r.age_band]: (n[r.age_band] ?? 0) + 1 }), {});
    expect(tally).toEqual({ 1: 1, 2: 2, 3: 3 });
    const codebook = (await t.http().get(`/api/surveys/${U16}/results/codebook`).set(t.auth).expect(200)).body;
    expect(codebook.columns.find((c: Obj) => c.name === 'age_band').codes).toEqual(codes);
  });

  it('adjusts for case mix by the survey\'s bands', async () => {
    const results = await t.app.get(ResultsService).results(U16);
    const parent = results.scores.find((s) => s.question === 'parent_confidence_staff')!;
    // 10–15 has most respondents (3), so it is the reference; the other two bands have a column each.
    expect(parent.model!.references['age band']).toBe('10–15');
    expect(parent.model!.columns.filter((c) => c.startsWith('age band: '))).toEqual(['age band: 0–4', 'age band: 5–9']);
    expect(parent.trusts.map((x) => [x.trust, x.base, x.positive])).toEqual([['RXX', 6, 3]]);
  });
});
