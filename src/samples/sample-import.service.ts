import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { AREA_LOOKUP_LOCK, deriveGroupingVariables, lookupExists, RunSql } from '../areas/derive-groups';
import { AppConfig } from '../infra/config/app-config';
import { DomainError } from '../infra/errors/domain-error';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import { TrustsService } from '../trusts/trusts.service';
import { icd10ScopeMatcher } from './rules/icd10';
import { mapHeader } from './sample-columns';
import { detectFormat, FileRow, readSampleFile } from './sample-file-reader';
import { EXCLUSION_REASONS, ExclusionReason, RowRules } from './sample-row';
import { clearStagedRows, firstRowPastProblemLimit, LAST_REFERENCE, settleStagedRows } from './sample-settle';
import { StagedFile, stageSampleRows, tooLarge } from './sample-staging';
import { MAX_ROW_PROBLEMS } from './upload-limits';
import { longDate } from '../infra/dates';

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
  excluded: Record<ExclusionReason, number>;
  sampled: number;
  /** Why the whole file is refused; null when it is accepted. */
  rejection: string | null;
  /** The trust's reference counter after this file, saved only if the file is accepted. */
  lastSequence: number;
}

interface Upload { surveyId: string; trustCode: string; fileId: string }

const noExclusions = () => Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;

/**
 * Reads a trust's sample file in one pass and one transaction, keeping no per-row state in the
 * process: rows are checked as they stream (the row rules) and COPYed into the unlogged
 * staging table; then one set-based statement finds record number repeats, the deceased and
 * duplicates, numbers the references, writes the report's problems and, if the file is
 * accepted, its sampled rows into `patients` (see sample-settle.ts). An accepted file replaces
 * the trust's previous sample; a rejected one keeps its report alone; a failure stores nothing.
 */
@Injectable()
export class SampleImportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly trusts: TrustsService,
    private readonly config: AppConfig,
  ) {}

  /** Imports the file and returns the new sample file's id. */
  async import(request: ImportRequest): Promise<string> {
    const survey = await this.surveys.get(request.surveyCode);
    const trust = await this.trusts.get(request.trustCode);
    assertOpenForUploads(survey);
    if (survey.settings.ptcOnly && !trust.ptc) {
      throw new DomainError('invalid_state',
        `Trust ${trust.code} (${trust.name}) is not marked as a Principal Treatment Centre, and this survey takes samples only from Principal Treatment Centres. `
        + `If it is one, a coordinator marks it (trust:ptc --trust ${trust.code}, or Mark as PTC on the Trusts page); then upload the file again.`);
    }
    const format = await detectFormat(request.path);
    const upload: Upload = { surveyId: survey.id, trustCode: request.trustCode, fileId: randomUUID() };

    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    await runner.startTransaction();
    try {
      // Same-trust uploads queue behind each other; the survey row's lock makes sample:lock wait for
      // (or beat) us. While the survey is in set-up an accepted file moves it to sampling, so the
      // row is taken for update from the start: two trusts' first files, each holding it FOR SHARE
      // and then updating it, deadlocked.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sample:${survey.id}:${request.trustCode}`]);
      await client.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [AREA_LOOKUP_LOCK]);
      const { rows: [current] } = await client.query(
        `SELECT sample_locked_at FROM surveys WHERE id = $1 FOR ${survey.status === 'setup' ? 'NO KEY UPDATE' : 'SHARE'}`, [survey.id]);
      assertOpenForUploads({ ...survey, sampleLockedAt: current.sample_locked_at });

      await client.query(
        `INSERT INTO sample_files (id, survey_id, trust_code, file_name, format, status, rejection, rows_read,
           rows_rejected, excluded, sampled, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, 'rejected', 'incomplete', 0, 0, '{}', 0, $6)`,
        [upload.fileId, survey.id, request.trustCode, request.fileName.slice(0, 255), format, request.uploadedBy],
      );
      const outcome = await this.readAndSettle(client, survey, upload, readSampleFile(request.path, format));
      if (!outcome.rejection) {
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
      await clearStagedRows(client, upload.fileId);
      await runner.commitTransaction();
      return upload.fileId;
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async readAndSettle(client: PoolClient, survey: Survey, upload: Upload, file: AsyncIterable<FileRow>): Promise<FileOutcome> {
    const outcome: FileOutcome = { rowsRead: 0, rowsRejected: 0, excluded: noExclusions(), sampled: 0, rejection: null, lastSequence: 0 };
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
      maximumAge: survey.settings.maximumAge ?? undefined,
      inScope: icd10ScopeMatcher(survey.settings.icd10Scope),
    };
    // The trust's counter stays locked until commit; it is created or moved only when a file is accepted.
    const { rows: [counter] } = await client.query(
      'SELECT last_value FROM reference_counters WHERE survey_id = $1 AND trust_code = $2 FOR UPDATE', [upload.surveyId, upload.trustCode]);
    const lastSequence: number = counter?.last_value ?? 0;

    let staged: StagedFile;
    try {
      staged = await stageSampleRows(client, upload.fileId, header, rules, rows,
        { maxRows: this.config.SAMPLE_MAX_ROWS, maxProblems: MAX_ROW_PROBLEMS });
    } catch (error) {
      // Reading stopped (unreadable or too long): had the problems passed the limit on an earlier row, that is what to say.
      if (error instanceof DomainError) await this.refuseIfTooManyProblems(client, upload.fileId);
      throw error;
    }
    if (staged.stoppedAtRow !== null) await this.refuseIfTooManyProblems(client, upload.fileId);

    const settled = await settleStagedRows(client, {
      importId: upload.fileId, surveyId: upload.surveyId, trustCode: upload.trustCode, lastSequence,
      rowsRead: staged.rowsRead, maxRejectedRowShare: survey.settings.maxRejectedRowShare,
    });
    if (staged.problems + settled.repeats > MAX_ROW_PROBLEMS) await this.refuseIfTooManyProblems(client, upload.fileId);
    outcome.rowsRead = staged.rowsRead;
    outcome.rowsRejected = settled.rowsRejected;
    outcome.excluded = settled.excluded;
    outcome.sampled = settled.sampled;
    outcome.lastSequence = lastSequence + settled.sampled;

    if (outcome.lastSequence > LAST_REFERENCE) {
      throw new DomainError('invalid_state', 'This trust has used up its survey references (999,999) in this survey');
    }
    const limit = survey.settings.maxRejectedRowShare;
    if (outcome.rowsRead === 0) {
      outcome.rejection = 'The file has a header row but no patients';
    } else if (outcome.rowsRejected / outcome.rowsRead > limit) {
      const share = ((outcome.rowsRejected / outcome.rowsRead) * 100).toFixed(1);
      outcome.rejection = `${outcome.rowsRejected} of ${outcome.rowsRead} rows (${share}%) could not be read, more than the ${Math.round(limit * 100)}% allowed; correct them and upload the file again`;
    }
    if (!outcome.rejection && !settled.stored) throw new Error('The sample import decided differently in SQL and in the process');
    return outcome;
  }

  /** Throws the "too many problems" refusal if the report passed its limit at some staged row. */
  private async refuseIfTooManyProblems(client: PoolClient, importId: string): Promise<void> {
    const row = await firstRowPastProblemLimit(client, importId, MAX_ROW_PROBLEMS);
    if (row !== null) {
      throw tooLarge(`more than ${MAX_ROW_PROBLEMS.toLocaleString('en-GB')} problems in its rows (by row ${row}); check its columns against the sample specification`);
    }
  }

  /** The new file becomes the trust's sample: the previous one is marked replaced and its patients removed. */
  private async replacePreviousSample(client: PoolClient, upload: Upload, lastSequence: number): Promise<void> {
    const { rows: previous } = await client.query(
      `UPDATE sample_files SET superseded_at = now()
       WHERE survey_id = $1 AND trust_code = $2 AND status = 'accepted' AND superseded_at IS NULL AND id <> $3 RETURNING id`,
      [upload.surveyId, upload.trustCode, upload.fileId]);
    if (previous.length) await client.query('DELETE FROM patients WHERE sample_file_id = $1', [previous[0].id]);
    await client.query(
      `INSERT INTO reference_counters (survey_id, trust_code, last_value) VALUES ($1, $2, $3)
       ON CONFLICT (survey_id, trust_code) DO UPDATE SET last_value = excluded.last_value`,
      [upload.surveyId, upload.trustCode, lastSequence]);
    await client.query(`UPDATE surveys SET status = 'sampling', updated_at = now() WHERE id = $1 AND status = 'setup'`, [upload.surveyId]);
  }
}

function assertOpenForUploads(survey: Pick<Survey, 'code' | 'status' | 'sampleLockedAt'>): void {
  if (survey.sampleLockedAt) {
    throw new DomainError('invalid_state',
      `The sample for this survey was locked on ${longDate(survey.sampleLockedAt)}: sample files can no longer be uploaded or replaced. Contact the survey coordinator.`);
  }
  if (survey.status === 'closed' || survey.status === 'purged') {
    throw new DomainError('invalid_state', `This survey is ${survey.status}: it takes no sample files`);
  }
}
