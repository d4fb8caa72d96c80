import type { PoolClient } from 'pg';
import { EXCLUSION_REASONS, ExclusionReason } from './sample-row';
import { checkDigitTables, newAccessCode } from './survey-reference';

export interface SettleRequest {
  importId: string;
  surveyId: string;
  trustCode: string;
  /** The trust's reference counter before this file. */
  lastSequence: number;
  rowsRead: number;
  maxRejectedRowShare: number;
}

export interface Settled {
  /** Rows that could not be read, plus rows repeating an earlier row's record number. */
  rowsRejected: number;
  /** Problems the SQL added: one per repeated record number. */
  repeats: number;
  excluded: Record<ExclusionReason, number>;
  sampled: number;
  /** True when the file is accepted and its sampled rows are now in `patients`. */
  stored: boolean;
}

/** Six digits of survey reference per trust and survey. */
export const LAST_REFERENCE = 999_999;

/**
 * Every staged row's outcome, in the order the rules apply: unreadable; repeating the record
 * number of an earlier readable row; excluded by rules 1–6 (decided while reading); deceased
 * (on the survey's list); duplicate (of the eligible rows with its NHS number, the latest
 * discharge, then admission, then the earlier row is kept); else sampled. Two sorts (by record
 * number, by NHS number) over narrow rows; the wide columns are read again only for the rows kept.
 */
const CLASSIFIED = `
  SELECT k.row_number, k.first_with_number,
    CASE WHEN k.outcome IS NULL AND row_number() OVER (PARTITION BY k.outcome IS NULL, k.nhs_number
                ORDER BY k.discharge_date DESC, k.admission_date DESC, k.row_number) > 1
         THEN 'duplicate' ELSE coalesce(k.outcome, 'sampled') END AS outcome
  FROM (
    SELECT r.row_number, r.nhs_number, r.admission_date, r.discharge_date, r.first_with_number,
      CASE WHEN r.patient_record_number IS NULL THEN 'unreadable'
           WHEN r.row_number > r.first_with_number THEN 'repeat'
           WHEN r.exclusion IS NOT NULL THEN r.exclusion
           WHEN d.nhs_number IS NOT NULL THEN 'deceased'
      END AS outcome
    FROM (
      SELECT row_number, patient_record_number, exclusion, nhs_number, admission_date, discharge_date,
        min(row_number) OVER (PARTITION BY patient_record_number) AS first_with_number
      FROM sample_import_rows WHERE import_id = $1
    ) r
    LEFT JOIN survey_deaths d ON d.survey_id = $2 AND d.nhs_number = r.nhs_number
  ) k`;

const PATIENT_COLUMNS = `survey_id, trust_code, sample_file_id, row_number, survey_reference, access_code,
  patient_record_number, nhs_number, title, first_name, surname, address, postcode, date_of_birth, sex, ethnicity,
  icd10, admission_date, discharge_date, patient_type, site_code, sub_icb_code, email, mobile`;

/**
 * One statement decides every row and writes the outcome: the report's problems (always), and
 * the sampled rows into `patients` with their survey references and the excluded rows (row and
 * record number, reason: the trust's list of what was left out) only when the file is
 * accepted (not too many rejected rows, and references left). References are numbered in row
 * order from the trust's counter, without gaps; the check digit comes from two lookup tables.
 * $1 import (= sample file) id, $2 survey, $3 trust, $4 counter, $5 rows read, $6 rejected
 * share allowed, $7/$8 check-digit tables.
 */
const SETTLE = `
  WITH classified AS MATERIALIZED (${CLASSIFIED}),
  verdict AS (
    SELECT count(*) FILTER (WHERE outcome IN ('unreadable', 'repeat')) AS rejected,
           count(*) FILTER (WHERE outcome = 'sampled') AS sampled
    FROM classified
  ),
  accepted AS (
    SELECT $5::int > 0 AND NOT (rejected::float8 / $5::float8 > $6::float8) AND $4::int + sampled <= ${LAST_REFERENCE} AS yes
    FROM verdict
  ),
  kept AS (
    SELECT row_number, $4::int + row_number() OVER (ORDER BY row_number) AS sequence
    FROM classified WHERE outcome = 'sampled' AND (SELECT yes FROM accepted)
  ),
  stored AS (
    INSERT INTO patients (${PATIENT_COLUMNS})
    SELECT $2, $3, $1, s.row_number,
      $3 || '-' || lpad(k.sequence::text, 6, '0') || '-' || ($8::int[])[($7::int[])[k.sequence / 1000 + 1] * 1000 + k.sequence % 1000 + 1],
      s.access_code, s.patient_record_number, s.nhs_number, s.title, s.first_name, s.surname, s.address, s.postcode,
      s.date_of_birth, s.sex, s.ethnicity, s.icd10, s.admission_date, s.discharge_date, s.patient_type, s.site_code,
      s.sub_icb_code, s.email, s.mobile
    FROM sample_import_rows s JOIN kept k ON k.row_number = s.row_number
    WHERE s.import_id = $1
  ),
  excluded AS (
    INSERT INTO sample_file_exclusions (sample_file_id, row_number, patient_record_number, reason)
    SELECT $1, c.row_number, s.patient_record_number, c.outcome
    FROM classified c JOIN sample_import_rows s ON s.import_id = $1 AND s.row_number = c.row_number
    WHERE c.outcome IN (${EXCLUSION_REASONS.map((r) => `'${r}'`).join(', ')}) AND (SELECT yes FROM accepted)
  ),
  problems AS (
    INSERT INTO sample_file_problems (sample_file_id, row_number, column_name, severity, message)
    SELECT $1, s.row_number, p.column_name, p.severity, p.message
    FROM sample_import_rows s, LATERAL (
      SELECT unnest(s.problem_columns), 'rejected', unnest(s.problem_messages)
      UNION ALL SELECT unnest(s.warning_columns), 'warning', unnest(s.warning_messages)
    ) p (column_name, severity, message)
    WHERE s.import_id = $1 AND (s.problem_columns IS NOT NULL OR s.warning_columns IS NOT NULL)
    UNION ALL
    SELECT $1, row_number, 'patient_record_number', 'rejected',
      'patient_record_number repeats row ' || first_with_number || '; each row needs its own'
    FROM classified WHERE outcome = 'repeat'
  )
  SELECT outcome, count(*)::int AS rows, (SELECT yes FROM accepted) AS stored FROM classified GROUP BY outcome`;

/** Decides and stores a staged file's rows in one statement (see SETTLE). */
export async function settleStagedRows(client: PoolClient, request: SettleRequest): Promise<Settled> {
  const { afterHigh, afterLow } = checkDigitTables(request.trustCode);
  const params = [request.importId, request.surveyId, request.trustCode, request.lastSequence, request.rowsRead,
    String(request.maxRejectedRowShare), afterHigh, afterLow];
  return withoutNestedLoops(client, async () => {
    // A drawn access code may equal another in the survey (58 random bits: about once in a
    // million national-size files): those are drawn again.
    for (let attempt = 1; ; attempt++) {
      await client.query('SAVEPOINT settle');
      try {
        const { rows } = await client.query(SETTLE, params);
        await client.query('RELEASE SAVEPOINT settle');
        return settled(rows);
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT settle');
        if ((error as { constraint?: string }).constraint !== 'patients_access_code_unique' || attempt === 5) throw error;
        await redrawRepeatedAccessCodes(client, request);
      }
    }
  });
}

/**
 * The staging table has no statistics (its rows never outlive a transaction, and ANALYZE is
 * the owner's), so the planner guesses a few hundred rows per import and picks nested loops
 * that rescan it per row: minutes for 100,000 rows. Hash joins and sorts cost the same whatever
 * the guess. Switched off for these statements only, then put back as it was.
 */
async function withoutNestedLoops<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  const { rows: [before] } = await client.query(
    `SELECT current_setting('enable_nestloop') AS nestloop, set_config('enable_nestloop', 'off', true),
            current_setting('work_mem') AS work_mem, set_config('work_mem', '64MB', true)`);
  try {
    return await work();
  } finally {
    await client.query(`SELECT set_config('enable_nestloop', $1, true), set_config('work_mem', $2, true)`, [before.nestloop, before.work_mem]);
  }
}

function settled(rows: { outcome: string; rows: number; stored: boolean }[]): Settled {
  const count = (outcome: string) => rows.find((r) => r.outcome === outcome)?.rows ?? 0;
  const excluded = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, count(r)])) as Record<ExclusionReason, number>;
  return {
    rowsRejected: count('unreadable') + count('repeat'), repeats: count('repeat'), excluded, sampled: count('sampled'),
    stored: rows[0]?.stored ?? false,
  };
}

async function redrawRepeatedAccessCodes(client: PoolClient, request: Pick<SettleRequest, 'importId' | 'surveyId'>): Promise<void> {
  const { rows } = await client.query(
    `SELECT s.row_number FROM sample_import_rows s
     WHERE s.import_id = $1 AND s.access_code IS NOT NULL
       AND (EXISTS (SELECT 1 FROM patients p WHERE p.survey_id = $2 AND p.access_code = s.access_code)
         OR EXISTS (SELECT 1 FROM sample_import_rows o
                    WHERE o.import_id = $1 AND o.access_code = s.access_code AND o.row_number < s.row_number))`,
    [request.importId, request.surveyId]);
  await client.query(
    `UPDATE sample_import_rows s SET access_code = n.code FROM unnest($2::int[], $3::text[]) n (row_number, code)
     WHERE s.import_id = $1 AND s.row_number = n.row_number`,
    [request.importId, rows.map((r) => r.row_number), rows.map(() => newAccessCode())]);
}

/**
 * The row at which the report would first hold more than `maxProblems` problems and warnings,
 * counted as the rows come (a repeated record number counts from the next row on); null when
 * it never does. Run only when the counts say it may.
 */
export async function firstRowPastProblemLimit(client: PoolClient, importId: string, maxProblems: number): Promise<number | null> {
  const { rows } = await withoutNestedLoops(client, () => client.query(
    `SELECT row_number FROM (
       SELECT row_number,
         sum(coalesce(cardinality(problem_columns), 0) + coalesce(cardinality(warning_columns), 0)) OVER w
           + coalesce(sum(repeat) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS problems
       FROM (
         SELECT row_number, problem_columns, warning_columns,
           (patient_record_number IS NOT NULL AND row_number > min(row_number) OVER (PARTITION BY patient_record_number))::int AS repeat
         FROM sample_import_rows WHERE import_id = $1
       ) r
       WINDOW w AS (ORDER BY row_number)
     ) c
     WHERE problems > $2 ORDER BY row_number LIMIT 1`,
    [importId, maxProblems]));
  return rows[0]?.row_number ?? null;
}

/** The staged rows are the importing transaction's alone; they go before it ends. */
export async function clearStagedRows(client: PoolClient, importId: string): Promise<void> {
  await client.query('DELETE FROM sample_import_rows WHERE import_id = $1', [importId]);
}
