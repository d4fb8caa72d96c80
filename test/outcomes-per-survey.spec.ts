import { DataSource } from 'typeorm';
import { seedReportSurvey } from '../bench/report-survey-seed';
import { outcomesSql } from '../migrations/1797033600000-outcomes-per-survey';
import { dataSourceOptions } from '../src/infra/database/data-source-options';
import { resetDatabase } from './support/app';
import { cli } from './support/cli';

/** The view as it was: every survey's events summarised, then filtered. */
const WHOLE_HISTORY = outcomesSql('patient_id', 'e.patient_id = p.id');

/** Plan nodes that read a table, from EXPLAIN (FORMAT JSON). */
function scansOf(plan: any, table: string): any[] {
  const here = plan['Relation Name'] === table ? [plan] : [];
  return [...here, ...(plan.Plans ?? []).flatMap((p: any) => scansOf(p, table))];
}

/**
 * Each survey's outcomes are worked out from that survey's events alone, by the same rules: the
 * facts kept on each patient (trigger on patient_events) give exactly what the events gave.
 */
describe('outcomes per survey', () => {
  let dataSource: DataSource;
  const surveys: Record<string, string> = {};

  beforeAll(async () => {
    dataSource = await new DataSource(dataSourceOptions(process.env.DATABASE_URL!)).initialize();
    await resetDatabase(dataSource);
    for (const [code, start, end] of [['CPES-2025', '2025-04-01', '2025-06-30'], ['CPES-2026', '2026-04-01', '2026-06-30']]) {
      expect((await cli(['survey:create', '--code', code, '--period-start', start, '--period-end', end])).code).toBe(0);
      const [{ id }] = await dataSource.query('SELECT id FROM surveys WHERE code = $1', [code]);
      surveys[code] = id;
      await seedReportSurvey(dataSource, id, 1_000, code);
      // Undelivered then moved (outcome 6 again), moved then undelivered (2), too ill (4).
      await dataSource.query(`
        INSERT INTO patient_events (survey_id, patient_id, kind, occurred_on, recorded_by, source, recorded_at)
        SELECT survey_id, id, k.kind, current_date, 'test', 'helpline', now() + k.later
        FROM patients CROSS JOIN LATERAL (VALUES ('address_change', CASE WHEN id % 2 = 0 THEN interval '1 hour' ELSE interval '-1 hour' END)) k(kind, later)
        WHERE survey_id = $1 AND id % 100 IN (52, 53)
        UNION ALL
        SELECT survey_id, id, 'too_ill', current_date, 'test', 'helpline', now() FROM patients WHERE survey_id = $1 AND id % 100 = 60`, [id]);
    }
  }, 120_000);
  afterAll(async () => {
    await resetDatabase(dataSource);
    await dataSource.destroy();
  });

  it('gives every patient of a survey exactly the outcome the whole-history view gave', async () => {
    for (const id of Object.values(surveys)) {
      const columns = `patient_id, survey_id, trust_code, outcome, response_mode, responded_on::text, date_of_death::text`;
      const now = await dataSource.query(`SELECT ${columns} FROM patient_outcomes WHERE survey_id = $1 ORDER BY patient_id`, [id]);
      const before = await dataSource.query(`SELECT ${columns} FROM (${WHOLE_HISTORY}) o WHERE survey_id = $1 ORDER BY patient_id`, [id]);
      expect(now).toHaveLength(1_000);
      expect(now).toEqual(before);
      expect(new Set(now.map((r: { outcome: number }) => r.outcome))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]));
    }
  });

  it("reads no events at all, and only the asked survey's patients", async () => {
    const [{ 'QUERY PLAN': [{ Plan: plan }] }] = await dataSource.query(
      'EXPLAIN (FORMAT JSON) SELECT trust_code, outcome, count(*) FROM patient_outcomes WHERE survey_id = $1 GROUP BY 1, 2', [surveys['CPES-2026']]);
    expect(scansOf(plan, 'patient_events')).toEqual([]);
    const patients = scansOf(plan, 'patients');
    expect(patients.length).toBeGreaterThan(0);
    for (const scan of patients) expect(JSON.stringify([scan['Index Cond'], scan['Recheck Cond'], scan.Filter])).toContain('survey_id');
  });

  it('keeps the facts on the patient equal to the whole history as events arrive one by one, earlier and later', async () => {
    const id = surveys['CPES-2026'];
    const [a, b] = await dataSource.query(
      `SELECT p.id FROM patients p WHERE p.survey_id = $1 AND NOT EXISTS (SELECT 1 FROM patient_events e WHERE e.patient_id = p.id)
         AND NOT EXISTS (SELECT 1 FROM survey_deaths d WHERE d.survey_id = p.survey_id AND d.nhs_number = p.nhs_number) ORDER BY p.id LIMIT 2`, [id]);
    const event = (patient: string, kind: string, mode: string | null, day: string) => dataSource.query(
      `INSERT INTO patient_events (survey_id, patient_id, kind, mode, occurred_on, recorded_by, source) VALUES ($1, $2, $3, $4, $5, 'test', 'helpline')`,
      [id, patient, kind, mode, day]);
    await event(a.id, 'completed', 'online', '2026-10-20');
    await event(a.id, 'completed', 'paper', '2026-10-10'); // earlier: its mode wins
    await event(a.id, 'completed', 'online', '2026-10-10'); // same day: the view's tie rule
    await event(b.id, 'undelivered', null, '2026-10-01');
    await event(b.id, 'opt_out', null, '2026-10-02');
    const columns = `patient_id, outcome, response_mode, responded_on::text`;
    const now = await dataSource.query(`SELECT ${columns} FROM patient_outcomes WHERE patient_id IN ($1, $2) ORDER BY patient_id`, [a.id, b.id]);
    const before = await dataSource.query(`SELECT ${columns} FROM (${WHOLE_HISTORY}) o WHERE patient_id IN ($1, $2) ORDER BY patient_id`, [a.id, b.id]);
    expect(now).toEqual(before);
    expect(now[0]).toMatchObject({ outcome: 1, responded_on: '2026-10-10' });
    expect(now[1].outcome).toBe(2);
  });

  it("refuses an event filed under another survey than its patient's", async () => {
    const [{ id: patient }] = await dataSource.query('SELECT id FROM patients WHERE survey_id = $1 LIMIT 1', [surveys['CPES-2025']]);
    await expect(dataSource.query(
      `INSERT INTO patient_events (survey_id, patient_id, kind, occurred_on, recorded_by, source) VALUES ($1, $2, 'opt_out', current_date, 'test', 'helpline')`,
      [surveys['CPES-2026'], patient])).rejects.toMatchObject({ code: '23514' });
  });

  it('counts in the response-rate report exactly what the view gives, the dead included whatever decided their outcome', async () => {
    const id = surveys['CPES-2026'];
    const living = `survey_id = $1 AND NOT EXISTS (SELECT 1 FROM survey_deaths d WHERE d.survey_id = $1 AND d.nhs_number = patients.nhs_number)`;
    // Death does not decide the outcome of one who answered first, nor of one whose outcome was kept final.
    const [answered] = await dataSource.query(`SELECT id, nhs_number FROM patients WHERE ${living} AND responded_on IS NOT NULL ORDER BY id LIMIT 1`, [id]);
    const [kept] = await dataSource.query(`SELECT id, nhs_number FROM patients WHERE ${living} AND responded_on IS NULL AND final_outcome IS NULL ORDER BY id LIMIT 1`, [id]);
    await dataSource.query('UPDATE patients SET purged_at = now(), final_outcome = 5 WHERE id = $1', [kept.id]);
    await dataSource.query(
      `INSERT INTO survey_deaths (survey_id, nhs_number, date_of_death, source) VALUES ($1, $2, current_date, 'helpline'), ($1, $3, current_date, 'helpline')`,
      [id, answered.nhs_number, kept.nhs_number]);
    const view: { trust_code: string; outcome: number; response_mode: string | null; n: number }[] = await dataSource.query(
      'SELECT trust_code, outcome, response_mode, count(*)::int AS n FROM patient_outcomes WHERE survey_id = $1 GROUP BY 1, 2, 3', [id]);
    const dead = await dataSource.query('SELECT patient_id::int AS id, outcome FROM patient_outcomes WHERE survey_id = $1 AND deceased', [id]);
    expect(dead).toEqual(expect.arrayContaining([{ id: Number(answered.id), outcome: 1 }, { id: Number(kept.id), outcome: 5 }]));
    expect(new Set(dead.map((r: { outcome: number }) => r.outcome))).toEqual(new Set([1, 3, 5, 7]));

    const run = await cli(['report:response-rates', '--survey', 'CPES-2026', '--json']);
    expect(run.code).toBe(0);
    const report: { trusts: { code: string; outcomes: Record<string, number>; byMode: Record<string, number> }[] } = JSON.parse(run.stdout);
    expect(report.trusts.length).toBeGreaterThan(1);
    for (const trust of report.trusts) {
      const mine = view.filter((v) => v.trust_code === trust.code);
      const count = (keep: (v: (typeof view)[number]) => boolean) => mine.filter(keep).reduce((n, v) => n + v.n, 0);
      expect(trust.outcomes).toEqual(Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((c) => [c, count((v) => v.outcome === c)])));
      for (const mode of ['paper', 'online', 'phone']) expect(trust.byMode[mode]).toBe(count((v) => v.outcome === 1 && v.response_mode === mode));
    }
  });
});
