import type { DataSource } from 'typeorm';
import { vacuumAnalyzeAsOwner } from './bench-database';

export const TRUSTS = 130;

/**
 * A survey after three mailing steps, written straight into the tables. Several surveys may be
 * seeded side by side (each statement keeps to its own survey); `code` names the print runs.
 */
export async function seedReportSurvey(db: DataSource, survey: string, patients: number, code = 'CPES-2026'): Promise<void> {
  await db.query(`INSERT INTO trusts (code, name, icb_code)
    SELECT 'R' || lpad(g::text, 3, '0'), 'Synthetic Trust ' || g, 'Q' || lpad((g % 42)::text, 2, '0') FROM generate_series(1, ${TRUSTS}) g
    ON CONFLICT DO NOTHING`);
  await db.query(`INSERT INTO sample_files (survey_id, trust_code, file_name, format, status, rows_read, rows_rejected, excluded, sampled, uploaded_by)
    SELECT $1, code, 'bench.csv', 'csv', 'accepted', 0, 0, '{}', 0, 'bench' FROM trusts`, [survey]);
  await db.query(`
    INSERT INTO patients (survey_id, trust_code, sample_file_id, row_number, survey_reference, access_code, patient_record_number,
      nhs_number, first_name, surname, address, postcode, date_of_birth, sex, icd10, admission_date, discharge_date, patient_type)
    SELECT $1, f.trust_code, f.id, g, f.trust_code || '-' || lpad(g::text, 6, '0'), 'CODE-' || g, 'PRN' || g,
      lpad((9990000000 + g)::text, 10, '0'), 'Synthetic', 'Patient', '{"1 Synthetic Street","Testville"}', 'LS1 1AA',
      '1950-01-01', '2', 'C50.9', '2026-05-01', '2026-05-02', '1'
    FROM generate_series(1, $2::int) g JOIN sample_files f ON f.survey_id = $1 AND f.trust_code = 'R' || lpad((1 + g % ${TRUSTS})::text, 3, '0')`, [survey, patients]);
  await db.query(`INSERT INTO mailing_steps (survey_id, step, launched_by, scheduled_for)
    SELECT $1, s, 'bench', now() FROM unnest(ARRAY['initial', 'reminder_1', 'reminder_2']) s`, [survey]);
  // One printed file per step stands for the real ones (≤ 2,000 packs each): the reports count ledger rows, not files.
  await db.query(`INSERT INTO print_batches (survey_id, step, run_id, batch_number, pdf_path, manifest_path, packs, pages, status, printed_at)
    SELECT $1, s, $2 || '-' || s, 1, 'bench.pdf', 'bench.csv', 2000, 18000, 'printed', now() FROM unnest(ARRAY['initial', 'reminder_1', 'reminder_2']) s`, [survey, code]);
  // Everyone is posted the initial mailing; a third also get it by e-mail; non-responders get reminders.
  await db.query(`INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, status, completed_at, print_batch_id)
    SELECT $1, p.id, p.trust_code, 'initial', 'postal', 'sent', now() - interval '60 days', b.id FROM patients p
    JOIN print_batches b ON b.survey_id = $1 AND b.step = 'initial' WHERE p.survey_id = $1`, [survey]);
  await db.query(`INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, status, completed_at)
    SELECT $1, p.id, p.trust_code, 'initial', 'email', 'sent', now() - interval '60 days' FROM patients p WHERE p.survey_id = $1 AND p.id % 3 = 0`, [survey]);
  for (const [step, ago] of [['reminder_1', 39], ['reminder_2', 11]] as const) {
    await db.query(`INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, status, suppression_reason, completed_at, print_batch_id)
      SELECT $1, p.id, p.trust_code, $2, 'postal', CASE WHEN p.id % 100 < 30 THEN 'suppressed' ELSE 'sent' END,
        CASE WHEN p.id % 100 < 30 THEN 'responded' END, now() - make_interval(days => $3), b.id FROM patients p
      JOIN print_batches b ON b.survey_id = $1 AND b.step = $2 WHERE p.survey_id = $1`, [survey, step, ago]);
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
    WHERE p.survey_id = $1 AND k.kind IS NOT NULL`, [survey]);
  await db.query(`INSERT INTO responses (survey_id, patient_id, mode, answers, received_on, recorded_by)
    SELECT e.survey_id, e.patient_id, e.mode, jsonb_build_object('overall_rating', e.patient_id % 11), e.occurred_on, 'bench'
    FROM patient_events e WHERE e.survey_id = $1 AND e.kind = 'completed'`, [survey]);
  // 1.5% died: a third before the first mailing.
  await db.query(`INSERT INTO survey_deaths (survey_id, nhs_number, date_of_death, source)
    SELECT $1, nhs_number, CASE WHEN id % 3 = 0 THEN current_date - 90 ELSE current_date - 20 END, 'bench'
    FROM patients WHERE survey_id = $1 AND id % 200 IN (55, 56, 57)`, [survey]);
  await vacuumAnalyzeAsOwner();
}
