import { RetentionService } from '../src/retention/retention.service';
import { UsersService } from '../src/users/users.service';
import { startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { seedResultsSurvey } from './support/results-survey';

/**
 * Results end to end on the small synthetic survey of support/results-survey.ts, every expected
 * figure worked by hand from RESULTS-METHOD.md (its comment gives the data; the method's own
 * unit specs cover the model in depth).
 */
describe('survey results', () => {
  let t: TestApp;
  let trustToken: string;
  beforeAll(async () => {
    t = await startApp();
    await seedResultsSurvey(t);

    const users = t.app.get(UsersService);
    const { user } = await users.add({ email: 'rbb@example.invalid', role: 'trust', trustCode: 'RBB' }, 'test');
    await t.dataSource.query('UPDATE users SET must_change_password = false WHERE id = $1', [user.id]);
    trustToken = (await users.createToken(user.id, 'tests')).token;
  }, 120_000);
  afterAll(() => t.app.close());

  const q2 = (body: { questions: { question: string }[] }) => body.questions.find((q) => q.question === 'gp_explained_referral') as any;

  it('scores each trust against the national figure, adjusted for case mix, with its expected range and flag', async () => {
    const run = await cli(['results:scores', '--survey', 'CPES-2026', '--json']);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ survey: 'CPES-2026', respondents: 42, threshold: 21 }); // the blank return is not a respondent
    const q = q2(run.json);
    expect(q.national).toEqual({ base: 41, positive: 25, score: 61.0, suppressed: false });
    // O = 15/21 = 71.43; E = N (intercept-only model); adjusted = 100 × (O − E + N) = 71.4.
    // Range: N ± z √(N(1 − N)/21) = 60.9756 ± z × 10.6448 → 95%: 40.1–81.8; 99.8%: 28.1–93.9 → within.
    expect(q.trusts).toEqual([
      { trust: 'RAA', base: 21, positive: 15, score: 71.4, expected: 61.0, adjusted: 71.4, range95: [40.1, 81.8], range998: [28.1, 93.9], flag: 'within', suppressed: false },
      { trust: 'RBB', base: 20, positive: null, score: null, expected: null, adjusted: null, range95: null, range998: null, flag: null, suppressed: true },
    ]);
    expect(q.icbs).toEqual([{ code: 'QWO', base: 41, positive: 25, score: 61.0, suppressed: false }]);
    expect(q.alliances).toEqual([{ code: 'E56000099', base: 41, positive: 25, score: 61.0, suppressed: false }]);
    // A question nobody answered has an empty base, withheld everywhere.
    expect(run.json.questions.find((x: { question: string }) => x.question === 'recurrence_signs').national).toEqual({ base: 0, positive: null, score: null, suppressed: true });
  });

  it('gives a trust user their own trust and the national figures only, and CSV with withheld cells blank', async () => {
    const auth = { Authorization: `Bearer ${trustToken}` };
    const mine = await t.http().get('/api/surveys/CPES-2026/results/scores').set(auth).expect(200);
    expect(q2(mine.body).trusts.map((x: { trust: string }) => x.trust)).toEqual(['RBB']);
    expect(q2(mine.body).icbs).toEqual([]);
    await t.http().get('/api/surveys/CPES-2026/results/league').set(auth).expect(403);
    await t.http().get('/api/surveys/CPES-2026/results/breakdown').query({ by: 'sex', trust: 'RAA' }).set(auth).expect(403);

    const csv = await t.http().get('/api/surveys/CPES-2026/results/scores?format=csv').set(t.auth).expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.split('\r\n');
    expect(lines).toContain('gp_explained_referral,2,trust,RAA,21,15,71.4,61,71.4,40.1,81.8,28.1,93.9,within,no');
    expect(lines).toContain('gp_explained_referral,2,trust,RBB,20,,,,,,,,,,yes');
  });

  it('breaks scores down by patient group, with the secondary breast cancer group and suppression', async () => {
    const national = await cli(['results:breakdown', '--survey', 'CPES-2026', '--by', 'secondary_breast_cancer', '--json']);
    const cell = (body: any, group: string) => body.groups.find((g: { group: string }) => g.group === group).questions.find((c: { question: string }) => c.question === 'gp_explained_referral');
    // Yes: the three C50 patients who said it had spread (all positive): base 3, withheld. No: 22 of 38 = 57.9.
    expect(cell(national.json, 'yes')).toEqual({ question: 'gp_explained_referral', base: 3, positive: null, score: null, suppressed: true });
    expect(cell(national.json, 'no')).toEqual({ question: 'gp_explained_referral', base: 38, positive: 22, score: 57.9, suppressed: false });
    const bySex = await t.http().get('/api/surveys/CPES-2026/results/breakdown').query({ by: 'sex' }).set(t.auth).expect(200);
    expect(cell(bySex.body, 'female')).toMatchObject({ base: 41, positive: 25, score: 61.0 });
    expect(cell(bySex.body, 'male')).toMatchObject({ base: 0, suppressed: true });
    const wrong = await cli(['results:breakdown', '--survey', 'CPES-2026', '--by', 'shoe_size', '--json']);
    expect(wrong.code).toBe(1);
    expect(wrong.json.error.details).toEqual([{ where: 'by', message: 'unknown' }]);
  });

  it('compares with the previous survey by reportKey, with significance, and ranks the trusts', async () => {
    const run = await cli(['results:trend', '--survey', 'CPES-2026', '--json']);
    const q = q2(run.json);
    // National 60.98 vs 40.0: +20.98; pooled p = 35/66, limit 1.959964 √(p(1−p)(1/41 + 1/25)) = 24.8 points: not significant.
    expect(q.national).toEqual({ current: 61.0, previous: 40.0, change: 21.0, significant: false, positiveChange: 15 });
    // RAA 71.43 vs 40.0: +31.43; pooled p = 25/46, limit 28.9 points: significant.
    expect(q.trusts.find((x: { trust: string }) => x.trust === 'RAA')).toMatchObject({ current: 71.4, previous: 40.0, change: 31.4, significant: true });

    const league = await cli(['results:league', '--survey', 'CPES-2026', '--json']);
    // RBB (20 respondents) is not ranked; RAA: Q2 within, every other question withheld.
    expect(league.json.trusts).toEqual([{ rank: 1, trust: 'RAA', respondents: 22, above: 0, within: 1, below: 0, meanAdjusted: 71.4, improved: 1, declined: 0, netImprovement: 1 }]);
  });

  it('gives the same figures after the purge destroyed every identifiable value', async () => {
    const before = await cli(['results:scores', '--survey', 'CPES-2026', '--json']);
    const breakdownBefore = await cli(['results:breakdown', '--survey', 'CPES-2026', '--by', 'imd_quintile', '--json']);
    await cli(['survey:close', '--survey', 'CPES-2026', '--json']);
    const purged = await t.app.get(RetentionService).purge('CPES-2026');
    expect(purged.patients).toBe(43);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM patients p JOIN surveys s ON s.id = p.survey_id
      WHERE s.code = 'CPES-2026' AND (p.postcode IS NOT NULL OR p.date_of_birth IS NOT NULL)`)).toEqual([{ n: 0 }]);
    expect((await cli(['results:scores', '--survey', 'CPES-2026', '--json'])).json).toEqual(before.json);
    expect((await cli(['results:breakdown', '--survey', 'CPES-2026', '--by', 'imd_quintile', '--json'])).json).toEqual(breakdownBefore.json);
  }, 90_000);
});
