import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { CliModule } from '../src/cli/cli.module';
import { ReportsService } from '../src/reports/reports.service';
import { SurveysService } from '../src/surveys/surveys.service';
import { measure, withBenchDatabase } from './bench-database';
import { seedReportSurvey, TRUSTS } from './report-survey-seed';

/**
 * Reports on a national survey: 150,000 patients in 130 trusts (in 42 ICBs) after three
 * mailing steps, with a realistic mix of outcomes (about 45% responded, mostly paper, and
 * their overall ratings), written straight into the tables by SQL. Prints the time of each
 * report; the response-rate report's target is well under a second. Then an earlier survey of
 * the same size is seeded and the response rates timed again: each time beside the bare
 * baseline, one survey-filtered GROUP BY of the same patients and events, as a ratio (target
 * ≤ 1.2, and the same with or without the earlier survey).
 */
export async function benchReports(patients = Number(process.env.BENCH_REPORT_PATIENTS || 150_000)): Promise<void> {
  await withBenchDatabase(async () => {
    const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
    try {
      const db = app.get(DataSource);
      await app.get(SurveysService).create({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' });
      const [{ id: survey }] = await db.query(`SELECT id FROM surveys WHERE code = 'CPES-2026'`);
      const seeded = await measure(() => seedReportSurvey(db, survey, patients));
      console.log(`reports: ${patients.toLocaleString('en-GB')} patients in ${TRUSTS} trusts, 3 steps (seeded in ${seeded.seconds.toFixed(1)} s)`);
      const coordinator = { id: 'bench', role: 'coordinator' as const };
      const reports = app.get(ReportsService);
      await reports.responseRates('CPES-2026', coordinator); // first run warms the connection pool and caches
      const median = async (run: () => Promise<unknown>) => {
        const times: number[] = [];
        for (let i = 0; i < 5; i++) times.push((await measure(run)).seconds * 1000);
        return times.sort((a, b) => a - b);
      };
      const baseline = () => db.query(
        `SELECT p.trust_code, e.kind, count(*)::int AS n FROM patients p
         LEFT JOIN patient_events e ON e.patient_id = p.id AND e.survey_id = $1 WHERE p.survey_id = $1 GROUP BY 1, 2`, [survey]);
      // Service and baseline take turns, so a burst of load on this shared machine falls on both.
      const ratioLine = async (label: string) => {
        const rates: number[] = [];
        const bare: number[] = [];
        for (let i = 0; i < 9; i++) {
          rates.push((await measure(() => reports.responseRates('CPES-2026', coordinator))).seconds * 1000);
          bare.push((await measure(baseline)).seconds * 1000);
        }
        const mid = (xs: number[]) => xs.sort((a, b) => a - b)[4];
        console.log(`  ${label.padEnd(42)} median ${mid(rates).toFixed(0).padStart(4)} ms; survey-filtered GROUP BY ${mid(bare).toFixed(0)} ms; ratio ${(mid(rates) / mid(bare)).toFixed(2)}   (target ≤ 1.2)`);
      };
      for (const [name, run] of [
        ['response rates (trusts, ICBs, national)', () => reports.responseRates('CPES-2026', coordinator)],
        ['response rates for one trust user', () => reports.responseRates('CPES-2026', { id: 'bench', role: 'trust', trustCode: 'R001' })],
        ['responses over time (131 series)', () => reports.responsesOverTime('CPES-2026', coordinator)],
        ['overall care rating', () => reports.overallRating('CPES-2026', coordinator)],
        ['response rates by age band (national)', () => reports.responseRatesByGroup('CPES-2026', 'age_band', coordinator)],
        ['response rates by tumour group (national)', () => reports.responseRatesByGroup('CPES-2026', 'tumour_group', coordinator)],
        ['response rates by channel (one trust user)', () => reports.responseRatesByGroup('CPES-2026', 'channel', { id: 'bench', role: 'trust', trustCode: 'R001' })],
      ] as [string, () => Promise<unknown>][]) {
        const times = await median(run);
        console.log(`  ${name.padEnd(42)} median ${times[2].toFixed(0).padStart(4)} ms (best ${times[0].toFixed(0)}, worst ${times[4].toFixed(0)})${name.startsWith('response rates (') ? '   (target well under 1,000 ms)' : ''}`);
      }
      await ratioLine('response rates vs bare GROUP BY');
      // Last year's survey, fully fielded: its events must not slow this year's report.
      await app.get(SurveysService).create({ code: 'CPES-2025', periodStart: '2025-04-01', periodEnd: '2025-06-30' });
      const [{ id: earlier }] = await db.query(`SELECT id FROM surveys WHERE code = 'CPES-2025'`);
      await seedReportSurvey(db, earlier, patients, 'CPES-2025');
      await reports.responseRates('CPES-2026', coordinator);
      await ratioLine("… with CPES-2025's events also stored");
    } finally {
      await app.close();
    }
  });
}
