import type { PoolClient } from 'pg';
import { copyValue, CopyWriter } from '../infra/database/copy-rows';
import { DomainError } from '../infra/errors/domain-error';
import type { HeaderMap } from './sample-columns';
import type { FileRow } from './sample-file-reader';
import { readSampleRow, RowProblem, RowRules, SampleRecord } from './sample-row';
import { newAccessCode } from './survey-reference';

/** What streaming the file into `sample_import_rows` leaves to the SQL that follows: counters only. */
export interface StagedFile {
  /** Non-blank rows below the header. */
  rowsRead: number;
  /** Rows that could not be read (their problems are staged with them). */
  rowsUnreadable: number;
  /** Problems and warnings the row rules found (record number repeats are found later, in SQL). */
  problems: number;
  /** The row at which `problems` passed the limit and reading stopped; null when it never did. */
  stoppedAtRow: number | null;
}

export interface StagingLimits { maxRows: number; maxProblems: number }

const STAGING_COLUMNS = `import_id, row_number, patient_record_number, exclusion, nhs_number, admission_date, discharge_date,
  access_code, title, first_name, surname, address, postcode, date_of_birth, sex, ethnicity, icd10, patient_type, site_code,
  sub_icb_code, email, mobile, problem_columns, problem_messages, warning_columns, warning_messages`;

// Columns a row that is not (yet) a candidate for the sample leaves empty: from nhs_number to mobile.
const NO_PATIENT = '\t\\N'.repeat(18);
const NO_PROBLEMS = '\t\\N\t\\N';

/**
 * Reads the file's rows after the header, applies the row rules (the pure field checks and
 * exclusions 1–6) and COPYs every row, one line each, into the staging table: the process
 * keeps counters, never rows. Each candidate for the sample gets its access code here, from
 * the CSPRNG (a row later found a repeat, deceased or duplicate just leaves its code unused).
 * Stops early, returning, once the rules have found more problems than a report may hold; a
 * file that cannot be read, or is too long, throws (with the rows read so far staged).
 */
export async function stageSampleRows(
  client: PoolClient, importId: string, header: HeaderMap, rules: RowRules, rows: AsyncIterator<FileRow>, limits: StagingLimits,
): Promise<StagedFile> {
  const staged: StagedFile = { rowsRead: 0, rowsUnreadable: 0, problems: 0, stoppedAtRow: null };
  const copy = new CopyWriter(client, `COPY sample_import_rows (${STAGING_COLUMNS}) FROM STDIN`, 256 * 1024);
  const id = `${copyValue(importId)}\t`;
  try {
    for (let next = await rows.next(); !next.done; next = await rows.next()) {
      const { rowNumber, cells } = next.value;
      if (cells.every((c) => !c || !c.trim())) continue; // a blank line is not a patient
      if (++staged.rowsRead > limits.maxRows) {
        throw tooLarge(`more than ${limits.maxRows.toLocaleString('en-GB')} patient rows, more than any trust's sample; check that it is the right file`);
      }
      const verdict = readSampleRow(cells, rowNumber, header, rules);
      const warnings = verdict.warnings.length ? problemArrays(verdict.warnings) : NO_PROBLEMS;
      staged.problems += verdict.warnings.length;
      if (verdict.kind === 'rejected') {
        staged.rowsUnreadable++;
        staged.problems += verdict.problems.length;
        await copy.writeLine(`${id}${rowNumber}\t\\N\t\\N${NO_PATIENT}${problemArrays(verdict.problems)}${warnings}\n`);
      } else {
        const r = verdict.record;
        const exclusion = verdict.exclusion;
        await copy.writeLine(exclusion
          ? `${id}${rowNumber}\t${copyValue(r.patientRecordNumber)}\t${exclusion}${NO_PATIENT}${NO_PROBLEMS}${warnings}\n`
          : `${id}${rowNumber}\t${copyValue(r.patientRecordNumber)}\t\\N\t${candidateColumns(r)}${NO_PROBLEMS}${warnings}\n`);
      }
      if (staged.problems > limits.maxProblems) {
        staged.stoppedAtRow = rowNumber;
        break;
      }
    }
  } finally {
    await rows.return?.();
    await copy.end();
  }
  return staged;
}

/** nhs_number … mobile of a row still in the running, as COPY text. */
function candidateColumns(r: SampleRecord): string {
  return `${r.nhsNumber}\t${r.admissionDate}\t${r.dischargeDate}\t${newAccessCode()}\t${copyValue(r.title)}\t`
    + `${copyValue(r.firstName)}\t${copyValue(r.surname)}\t${copyValue(r.address)}\t${r.postcode}\t${r.dateOfBirth}\t${r.sex}\t`
    + `${copyValue(r.ethnicity)}\t${r.icd10}\t${r.patientType}\t${copyValue(r.siteCode)}\t${copyValue(r.subIcbCode)}\t`
    + `${copyValue(r.email)}\t${copyValue(r.mobile)}`;
}

/** The columns and messages of a row's problems as two COPY array values. */
function problemArrays(problems: RowProblem[]): string {
  return `\t${copyValue(problems.map((p) => p.column))}\t${copyValue(problems.map((p) => p.message))}`;
}

/** A file refused whole, before its report could be kept: nothing of it is stored. */
export function tooLarge(problem: string): DomainError {
  return new DomainError('file_rejected', `The file cannot be accepted: it has ${problem}, then upload it again.`, [{ where: 'file', message: `it has ${problem.split(';')[0]}` }]);
}
