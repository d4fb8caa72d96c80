import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { CliModule } from '../src/cli/cli.module';
import { ReportsService } from '../src/reports/reports.service';
import { SurveysService } from '../src/surveys/surveys.service';
import { measure, withBenchDatabase } from './bench-database';

const TRUSTS = 130;

/**
 * Reports on a national survey: 150,000 patients in 130 trusts (in 42 ICBs) after three
 * mailing steps, with a realistic mix of outcomes (about 45% responded, mostly paper, and
 * their overall ratings), written straight into the tables by SQL. Prints the time of each
 * report; the response-rate report's target is well under a second.
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
      for (const [name, run] of [
        ['response rates (trusts, ICBs, national)', () => reports.responseRates('CPES-2026', coordinator)],
        ['response rates for one trust user', () => reports.responseRates('CPES-2026', { id: 'bench', role: 'trust', trustCode: 'R001' })],
        ['responses over time (131 series)', () => reports.responsesOverTime('CPES-2026', coordinator)],
        ['overall care rating', () => reports.overallRating('CPES-2026', coordinator)],
      ] as [string, () => Promise<unknown>][]) {
        const times: number[] = [];
        for (let i = 0; i < 5; i++) times.push((await measure(run)).seconds * 1000);
        times.sort((a, b) => a - b);
        console.log(`  ${name.padEnd(42)} median ${times[2].toFixed(0).padStart(4)} ms (best ${times[0].toFixed(0)}, worst ${times[4].toFixed(0)})${name.startsWith('response rates (') ? '   (target well under 1,000 ms)' : ''}`);
      }
    } finally {
      await app.close();
    }
  });
}

export async function seedReportSurvey(db: DataSource, survey: string, patients: number): Promise<void> {
  await db.query(`INSERT INTO trusts (code, name, icb_code)
    SELECT 'R' || lpad(g::text, 3, '0'), 'Synthetic Trust ' || g, 'Q' || lpad((g % 42)::text, 2, '0') FROM generate_series(1, ${TRUSTS}) g`);
  await db.query(`INSERT INTO sample_files (survey_id, trust_code, file_name, format, status, rows_read, rows_rejected, excluded, sampled, uploaded_by)
    SELECT $1, code, 'bench.csv', 'csv', 'accepted', 0, 0, '{}', 0, 'bench' FROM trusts`, [survey]);
  await db.query(`
    INSERT INTO patients (survey_id, trust_code, sample_file_id, row_number, survey_reference, access_code, patient_record_number,
      nhs_number, first_name, surname, address, postcode, date_of_birth, sex, icd10, admission_date, discharge_date, patient_type)
    SELECT $1, f.trust_code, f.id, g, f.trust_code || '-' || lpad(g::text, 6, '0'), 'CODE-' || g, 'PRN' || g,
      lpad((9990000000 + g)::text, 10, '0'), 'Synthetic', 'Patient', '{"1 Synthetic Street","Testville"}', 'LS1 1AA',
      '1950-01-01', '2', 'C50.9', '2026-05-01', '2026-05-02', '1'
    FROM generate_series(1, $2::int) g JOIN sample_files f ON f.trust_code = 'R' || lpad((1 + g % ${TRUSTS})::text, 3, '0')`, [survey, patients]);
  await db.query(`INSERT INTO mailing_steps (survey_id, step, launched_by, scheduled_for)
    SELECT $1, s, 'bench', now() FROM unnest(ARRAY['initial', 'reminder_1', 'reminder_2']) s`, [survey]);
  // One printed file per step stands for the real ones (≤ 2,000 packs each): the reports count ledger rows, not files.
  await db.query(`INSERT INTO print_batches (survey_id, step, run_id, batch_number, pdf_path, manifest_path, packs, pages, status, printed_at)
    SELECT $1, s, 'CPES-2026-' || s, 1, 'bench.pdf', 'bench.csv', 2000, 18000, 'printed', now() FROM unnest(ARRAY['initial', 'reminder_1', 'reminder_2']) s`, [survey]);
  // Everyone is posted the initial mailing; a third also get it by e-mail; non-responders get reminders.
  await db.query(`INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, status, completed_at, print_batch_id)
    SELECT $1, p.id, p.trust_code, 'initial', 'postal', 'sent', now() - interval '60 days', b.id FROM patients p
    JOIN print_batches b ON b.step = 'initial'`, [survey]);
  await db.query(`INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, status, completed_at)
    SELECT $1, p.id, p.trust_code, 'initial', 'email', 'sent', now() - interval '60 days' FROM patients p WHERE p.id % 3 = 0`, [survey]);
  for (const [step, ago] of [['reminder_1', 39], ['reminder_2', 11]] as const) {
    await db.query(`INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, status, suppression_reason, completed_at, print_batch_id)
      SELECT $1, p.id, p.trust_code, $2, 'postal', CASE WHEN p.id % 100 < 30 THEN 'suppressed' ELSE 'sent' END,
        CASE WHEN p.id % 100 < 30 THEN 'responded' END, now() - make_interval(days => $3), b.id FROM patients p
      JOIN print_batches b ON b.step = $2`, [survey, step, ago]);
  }
  // Outcomes: 45% responded (30 paper, 12 online, 3 phone), 5% opted out, 2% blank, 2% undelivered, 1% ineligible.
  await db.query(`
    INSERT INTO patient_events (survey_id, patient_id, kind, mode, occurred_on, recorded_by, source)
    SELECT $1, p.id, k.kind, k.mode, current_date - (p.id % 55)::int, 'bench', k.source
    FROM patients p CROSS JOIN LATERAL (SELECT CASE
        WHEN p.id % 100 < 30 THEN 'completed' WHEN p.id % 100 < 42 THEN 'completed' WHEN p.id % 100 < 45 THEN 'completed'
        WHEN p.id % 100 < 50 THEN 'opt_out' WHEN p.id % 100 < 52 THEN 'blank_return' WHEN p.id % 100 < 54 THEN 'undelivered'
        WHEN p.id % 100 < 55 THEN 'ineligible' END AS kind,
      CASE WHEN p.id % 100 < 30 THEN 'paper' WHEN p.id % 100 < 42 THEN 'online' WHEN p.id % 100 < 45 THEN 'phone' END AS mode,
      CASE WHEN p.id % 100 < 30 THEN 'scan' WHEN p.id % 100 < 42 THEN 'online' ELSE 'helpline' END AS source) k
    WHERE k.kind IS NOT NULL`, [survey]);
  await db.query(`INSERT INTO responses (survey_id, patient_id, mode, answers, received_on, recorded_by)
    SELECT e.survey_id, e.patient_id, e.mode, jsonb_build_object('overall_rating', e.patient_id % 11), e.occurred_on, 'bench'
    FROM patient_events e WHERE e.kind = 'completed'`);
  // 1.5% died: a third before the first mailing.
  await db.query(`INSERT INTO survey_deaths (survey_id, nhs_number, date_of_death, source)
    SELECT $1, nhs_number, CASE WHEN id % 3 = 0 THEN current_date - 90 ELSE current_date - 20 END, 'bench'
    FROM patients WHERE id % 200 IN (55, 56, 57)`, [survey]);
  await db.query('ANALYZE');
}
