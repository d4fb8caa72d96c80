import { DataSource } from 'typeorm';
import { seedReportSurvey } from '../bench/report-survey-seed';
import { outcomesSql } from '../migrations/1797033600000-outcomes-per-survey';
import { dataSourceOptions } from '../src/infra/database/data-source-options';
import { resetDatabase } from './support/app';
import { cli } from './support/cli';

/** The view as it was: every survey's events summarised, then filtered. */
const WHOLE_HISTORY = outcomesSql('patient_id', 'e.patient_id = p.id');

/** Plan nodes that read patient_events, from EXPLAIN (FORMAT JSON). */
function eventScans(plan: any): any[] {
  const here = plan['Relation Name'] === 'patient_events' ? [plan] : [];
  return [...here, ...(plan.Plans ?? []).flatMap(eventScans)];
}

/** Each survey's outcomes are worked out from that survey's events alone, by the same rules. */
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

  it("reads only the asked survey's events", async () => {
    const [{ 'QUERY PLAN': [{ Plan: plan }] }] = await dataSource.query(
      'EXPLAIN (FORMAT JSON) SELECT trust_code, outcome, count(*) FROM patient_outcomes WHERE survey_id = $1 GROUP BY 1, 2', [surveys['CPES-2026']]);
    const scans = eventScans(plan);
    expect(scans.length).toBeGreaterThan(0);
    for (const scan of scans) expect(JSON.stringify([scan['Index Cond'], scan['Recheck Cond'], scan.Filter])).toContain('survey_id');
  });

  it("refuses an event filed under another survey than its patient's", async () => {
    const [{ id: patient }] = await dataSource.query('SELECT id FROM patients WHERE survey_id = $1 LIMIT 1', [surveys['CPES-2025']]);
    await expect(dataSource.query(
      `INSERT INTO patient_events (survey_id, patient_id, kind, occurred_on, recorded_by, source) VALUES ($1, $2, 'opt_out', current_date, 'test', 'helpline')`,
      [surveys['CPES-2026'], patient])).rejects.toMatchObject({ code: '23514' });
  });
});
