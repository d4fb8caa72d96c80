import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { AREA_LOOKUP_LOCK, deriveGroupingVariables, lookupExists, RunSql } from '../areas/derive-groups';
import { copyValue, CopyWriter } from '../infra/database/copy-rows';
import { DomainError } from '../infra/errors/domain-error';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import { TrustsService } from '../trusts/trusts.service';
import { icd10ScopeMatcher } from './rules/icd10';
import { DuplicateRule } from './duplicate-rule';
import { mapHeader } from './sample-columns';
import { detectFormat, FileRow, readSampleFile } from './sample-file-reader';
import { EXCLUSION_REASONS, ExclusionReason, readSampleRow, RowProblem, RowRules, SampleRecord } from './sample-row';
import { formatReference, newAccessCode } from './survey-reference';
import { MAX_ROW_PROBLEMS, MAX_SAMPLE_ROWS } from './upload-limits';

export interface ImportRequest {
  surveyCode: string;
  trustCode: string;
  path: string;
  fileName: string;
  uploadedBy: string;
}

interface FileOutcome {
  rowsRead: number;
  rowsRejected: number;
  rejected: RowProblem[];
  warnings: RowProblem[];
  excluded: Record<ExclusionReason, number>;
  sampled: number;
  /** Why the whole file is refused; null when it is accepted. */
  rejection: string | null;
  /** The trust's reference counter after this file, saved only if the file is accepted. */
  lastSequence: number;
}

interface Upload { surveyId: string; trustCode: string; fileId: string }

const PATIENT_COLUMNS = `survey_id, trust_code, sample_file_id, row_number, survey_reference, access_code,
  patient_record_number, nhs_number, title, first_name, surname, address, postcode, date_of_birth, sex, ethnicity,
  icd10, admission_date, discharge_date, patient_type, site_code, sub_icb_code, email, mobile`;

/** The rest of a `patients` COPY line after the survey, trust and file columns: one string, no arrays in between. */
function patientCopyLine(r: SampleRecord, reference: string, accessCode: string): string {
  return `${r.rowNumber}\t${reference}\t${accessCode}\t${copyValue(r.patientRecordNumber)}\t${r.nhsNumber}\t${copyValue(r.title)}\t`
    + `${copyValue(r.firstName)}\t${copyValue(r.surname)}\t${copyValue(r.address)}\t${r.postcode}\t${r.dateOfBirth}\t${r.sex}\t`
    + `${copyValue(r.ethnicity)}\t${r.icd10}\t${r.admissionDate}\t${r.dischargeDate}\t${r.patientType}\t${copyValue(r.siteCode)}\t`
    + `${copyValue(r.subIcbCode)}\t${copyValue(r.email)}\t${copyValue(r.mobile)}\n`;
}

/**
 * The same text in a string of its own. V8 keeps a substring of 13 characters or more as a view
 * of the parsed chunk; held as a map key for the whole import, a long record number kept its
 * 64 KB chunk alive, and so the whole file (+53 MB peak for 150,000 rows of 18-character numbers).
 */
function detached(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}

const noExclusions = () => Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;

/**
 * Reads a trust's sample file in one pass and one transaction. Rows are validated as they
 * stream and eligible ones go straight into `patients` by COPY (PostgreSQL indexes them on
 * its own core while we parse the next rows). The deceased and duplicate rules run in the same
 * pass, so the table is written once and only rows a later duplicate beats are deleted. An
 * accepted file replaces the trust's previous sample; a rejected one is rolled back to its
 * report alone; a failure stores nothing.
 */
@Injectable()
export class SampleImportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly trusts: TrustsService,
  ) {}

  /** Imports the file and returns the new sample file's id. */
  async import(request: ImportRequest): Promise<string> {
    const survey = await this.surveys.get(request.surveyCode);
    await this.trusts.get(request.trustCode);
    assertOpenForUploads(survey);
    const format = await detectFormat(request.path);
    const upload: Upload = { surveyId: survey.id, trustCode: request.trustCode, fileId: randomUUID() };

    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    await runner.startTransaction();
    try {
      // Same-trust uploads queue behind each other; FOR SHARE makes sample:lock wait for (or beat) us.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sample:${survey.id}:${request.trustCode}`]);
      await client.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [AREA_LOOKUP_LOCK]);
      const { rows: [current] } = await client.query('SELECT sample_locked_at FROM surveys WHERE id = $1 FOR SHARE', [survey.id]);
      assertOpenForUploads({ ...survey, sampleLockedAt: current.sample_locked_at });

      await client.query(
        `INSERT INTO sample_files (id, survey_id, trust_code, file_name, format, status, rejection, rows_read,
           rows_rejected, excluded, sampled, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, 'rejected', 'incomplete', 0, 0, '{}', 0, $6)`,
        [upload.fileId, survey.id, request.trustCode, request.fileName.slice(0, 255), format, request.uploadedBy],
      );
      await client.query('SAVEPOINT sample_rows');
      const outcome = await this.readIntoPatients(client, survey, upload, readSampleFile(request.path, format));
      if (outcome.rejection) await client.query('ROLLBACK TO SAVEPOINT sample_rows');
      else {
        await this.replacePreviousSample(client, upload, outcome.lastSequence);
        // Grouping variables for results, while the postcode exists; a later areas:import derives them otherwise.
        const sql: RunSql = async (text, params) => (await client.query(text, params)).rows;
        if (await lookupExists(sql)) await deriveGroupingVariables(sql, { sampleFileId: upload.fileId });
      }

      await client.query(
        `UPDATE sample_files SET status = $2, rejection = $3, rows_read = $4, rows_rejected = $5, excluded = $6, sampled = $7
         WHERE id = $1`,
        [upload.fileId, outcome.rejection ? 'rejected' : 'accepted', outcome.rejection, outcome.rowsRead,
          outcome.rowsRejected, JSON.stringify(outcome.excluded), outcome.rejection ? 0 : outcome.sampled],
      );
      await this.saveProblems(client, upload.fileId, outcome);
      await runner.commitTransaction();
      return upload.fileId;
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async readIntoPatients(client: PoolClient, survey: Survey, upload: Upload, file: AsyncIterable<FileRow>): Promise<FileOutcome> {
    const outcome: FileOutcome = {
      rowsRead: 0, rowsRejected: 0, rejected: [], warnings: [], excluded: noExclusions(), sampled: 0, rejection: null, lastSequence: 0,
    };
    const rows = file[Symbol.asyncIterator]();
    const first = await rows.next();
    if (first.done) return { ...outcome, rejection: 'The file is empty: it needs a header row and at least one patient' };
    const header = mapHeader(first.value.cells);
    if (header.missing.length || header.repeated.length) {
      const parts = [];
      if (header.missing.length) parts.push(`required column${header.missing.length > 1 ? 's' : ''} missing: ${header.missing.join(', ')}`);
      if (header.repeated.length) parts.push(`column${header.repeated.length > 1 ? 's' : ''} given twice: ${header.repeated.join(', ')}`);
      await rows.return?.();
      return { ...outcome, rejection: `The header row is not usable: ${parts.join('; ')}` };
    }

    const rules: RowRules = {
      trustCode: upload.trustCode,
      periodStart: survey.periodStart,
      periodEnd: survey.periodEnd,
      minimumAge: survey.settings.minimumAge,
      inScope: icd10ScopeMatcher(survey.settings.icd10Scope),
    };
    // References are drawn while streaming from the trust's counter, locked until commit. Rows
    // later found deceased or duplicate leave gaps, which is harmless: a reference is never reused.
    await client.query(
      'INSERT INTO reference_counters (survey_id, trust_code, last_value) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING',
      [upload.surveyId, upload.trustCode]);
    const { rows: [counter] } = await client.query(
      'SELECT last_value FROM reference_counters WHERE survey_id = $1 AND trust_code = $2 FOR UPDATE', [upload.surveyId, upload.trustCode]);
    let sequence: number = counter.last_value;
    let copied = 0;

    // 6. deceased: the survey's deceased list, read once (thousands of numbers at most).
    const { rows: deaths } = await client.query('SELECT nhs_number FROM survey_deaths WHERE survey_id = $1', [upload.surveyId]);
    const deceased = new Set<string>(deaths.map((d: { nhs_number: string }) => d.nhs_number));
    // 7. duplicate: among the rows still in.
    const duplicates = new DuplicateRule();

    const copy = new CopyWriter(client, `COPY patients (${PATIENT_COLUMNS}) FROM STDIN`);
    const fixed = `${copyValue(upload.surveyId)}\t${copyValue(upload.trustCode)}\t${copyValue(upload.fileId)}\t`;
    const recordNumbers = new Map<string, number>();
    const accessCodes = new Set<string>();
    try {
      for (let next = await rows.next(); !next.done; next = await rows.next()) {
        const { rowNumber, cells } = next.value;
        if (cells.every((c) => !c || !c.trim())) continue; // a blank line is not a patient
        if (++outcome.rowsRead > MAX_SAMPLE_ROWS) throw tooLarge(`more than ${MAX_SAMPLE_ROWS.toLocaleString('en-GB')} patient rows, more than any trust's sample; check that it is the right file`);
        const verdict = readSampleRow(cells, rowNumber, header, rules);
        if (verdict.warnings.length) outcome.warnings.push(...verdict.warnings);
        if (verdict.kind === 'rejected') {
          outcome.rowsRejected++;
          outcome.rejected.push(...verdict.problems);
        }
        if (outcome.rejected.length + outcome.warnings.length > MAX_ROW_PROBLEMS) {
          throw tooLarge(`more than ${MAX_ROW_PROBLEMS.toLocaleString('en-GB')} problems in its rows (by row ${rowNumber}); check its columns against the sample specification`);
        }
        if (verdict.kind === 'rejected') continue;
        const r = verdict.record;
        const firstSeen = recordNumbers.get(r.patientRecordNumber);
        if (firstSeen !== undefined) {
          outcome.rowsRejected++;
          outcome.rejected.push({ row: rowNumber, column: 'patient_record_number', message: `patient_record_number repeats row ${firstSeen}; each row needs its own` });
          continue;
        }
        recordNumbers.set(detached(r.patientRecordNumber), rowNumber);
        const exclusion = verdict.exclusion ?? (deceased.has(r.nhsNumber) ? 'deceased' : null);
        if (exclusion) {
          outcome.excluded[exclusion]++;
          continue;
        }
        if (!duplicates.admit(r)) continue;
        let accessCode: string;
        do accessCode = newAccessCode(); while (accessCodes.has(accessCode));
        accessCodes.add(accessCode);
        if (++sequence > 999_999) {
          throw new DomainError('invalid_state', 'This trust has used up its survey references (999,999) in this survey');
        }
        copied++;
        await copy.writeLine(fixed + patientCopyLine(r, formatReference(upload.trustCode, sequence), accessCode));
      }
    } finally {
      await copy.end();
    }
    outcome.lastSequence = sequence;
    // Rows a later duplicate beat; references they drew stay unused, which is harmless.
    if (duplicates.displaced.length) {
      await client.query('DELETE FROM patients WHERE sample_file_id = $1 AND row_number = ANY($2::int[])',
        [upload.fileId, duplicates.displaced]);
    }
    outcome.excluded.duplicate = duplicates.excluded;
    outcome.sampled = copied - duplicates.displaced.length;

    const limit = survey.settings.maxRejectedRowShare;
    if (outcome.rowsRead === 0) {
      outcome.rejection = 'The file has a header row but no patients';
    } else if (outcome.rowsRejected / outcome.rowsRead > limit) {
      const share = ((outcome.rowsRejected / outcome.rowsRead) * 100).toFixed(1);
      outcome.rejection = `${outcome.rowsRejected} of ${outcome.rowsRead} rows (${share}%) could not be read, more than the ${Math.round(limit * 100)}% allowed; correct them and upload the file again`;
    }
    return outcome;
  }

  /** The new file becomes the trust's sample: the previous one is marked replaced and its patients removed. */
  private async replacePreviousSample(client: PoolClient, upload: Upload, lastSequence: number): Promise<void> {
    const { rows: previous } = await client.query(
      `UPDATE sample_files SET superseded_at = now()
       WHERE survey_id = $1 AND trust_code = $2 AND status = 'accepted' AND superseded_at IS NULL AND id <> $3 RETURNING id`,
      [upload.surveyId, upload.trustCode, upload.fileId]);
    if (previous.length) await client.query('DELETE FROM patients WHERE sample_file_id = $1', [previous[0].id]);
    await client.query('UPDATE reference_counters SET last_value = $3 WHERE survey_id = $1 AND trust_code = $2',
      [upload.surveyId, upload.trustCode, lastSequence]);
    await client.query(`UPDATE surveys SET status = 'sampling', updated_at = now() WHERE id = $1 AND status = 'setup'`, [upload.surveyId]);
  }

  private async saveProblems(client: PoolClient, fileId: string, outcome: FileOutcome): Promise<void> {
    if (!outcome.rejected.length && !outcome.warnings.length) return;
    const copy = new CopyWriter(client, 'COPY sample_file_problems (sample_file_id, row_number, column_name, severity, message) FROM STDIN');
    try {
      for (const p of outcome.rejected) await copy.write([fileId, p.row, p.column, 'rejected', p.message]);
      for (const p of outcome.warnings) await copy.write([fileId, p.row, p.column, 'warning', p.message]);
    } finally {
      await copy.end();
    }
  }
}

/** A file refused whole, before its report could be kept: nothing of it is stored. */
function tooLarge(problem: string): DomainError {
  return new DomainError('file_rejected', `The file cannot be accepted: it has ${problem}, then upload it again.`, [{ where: 'file', message: `it has ${problem.split(';')[0]}` }]);
}

function assertOpenForUploads(survey: Pick<Survey, 'code' | 'status' | 'sampleLockedAt'>): void {
  if (survey.sampleLockedAt) {
    throw new DomainError('invalid_state',
      `The sample for this survey was locked on ${survey.sampleLockedAt.toISOString().slice(0, 10)}: sample files can no longer be uploaded or replaced. Contact the survey coordinator.`);
  }
  if (survey.status === 'closed' || survey.status === 'purged') {
    throw new DomainError('invalid_state', `This survey is ${survey.status}: it takes no sample files`);
  }
}
