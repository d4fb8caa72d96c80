import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { csvLines, CsvValue } from '../infra/csv';
import { SurveysService } from '../surveys/surveys.service';
import { icd10ScopeMatcher } from './rules/icd10';
import { mapHeader } from './sample-columns';
import { detectFormat, readSampleFile } from './sample-file-reader';
import { EXCLUSION_SENTENCES } from './sample-format';
import { SampleFilesService } from './sample-files.service';
import { SampleImportService, ImportRequest } from './sample-import.service';
import { ExclusionReason, readSampleRow } from './sample-row';

/** One excluded row as the trust sees it: where it is in their file and why, nothing that names the patient. */
export interface ExcludedRow { row: number; recordNumber: string; reason: ExclusionReason; sentence: string }

const BATCH = 5_000;

/**
 * The excluded rows of an accepted file, row by row. The importer counts exclusions per reason
 * but keeps no row of them; the uploaded file is deleted once read. So, while the file is still
 * on disk, it is read once more with the importer's own row rules, and what the import did is
 * read back from the database: a readable row that is neither rejected (the report's problems)
 * nor excluded by the row rules and is not among the sampled patients was left out as deceased
 * (on the survey's list) or else as a duplicate. Rejected files stored no sample: nothing is listed.
 */
@Injectable()
export class SampleExclusionsService {
  private readonly logger = new Logger(SampleExclusionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly importer: SampleImportService,
    private readonly files: SampleFilesService,
    private readonly surveys: SurveysService,
  ) {}

  /** Imports the file, then records its excluded rows; answers with the new file's id. */
  async importAndRecord(request: ImportRequest): Promise<string> {
    const fileId = await this.importer.import(request);
    // The import is committed: a failure to list its exclusions must not report the upload as failed.
    // The report then says the excluded rows were counted but are not listed.
    // Only the kind of error is logged: a database message can quote a value from the file.
    await this.record(fileId, request.path).catch((error: Error & { code?: string }) =>
      this.logger.warn(`Excluded rows of sample file ${fileId} not listed: ${error.constructor.name}${error.code ? ` ${error.code}` : ''}`));
    return fileId;
  }

  async record(fileId: string, path: string): Promise<number> {
    const [file] = await this.dataSource.query('SELECT survey_id, trust_code, status FROM sample_files WHERE id = $1', [fileId]);
    if (!file || file.status !== 'accepted') return 0;
    const survey = await this.surveys.getById(file.survey_id);
    if (!survey) return 0;
    const [rejected, sampled, deaths] = await Promise.all([
      this.numbers(`SELECT DISTINCT row_number AS n FROM sample_file_problems WHERE sample_file_id = $1 AND severity = 'rejected'`, [fileId]),
      this.numbers('SELECT row_number AS n FROM patients WHERE sample_file_id = $1', [fileId]),
      this.dataSource.query('SELECT nhs_number FROM survey_deaths WHERE survey_id = $1', [survey.id])
        .then((rows: { nhs_number: string }[]) => new Set(rows.map((r) => r.nhs_number))),
    ]);
    const rules = {
      trustCode: file.trust_code, periodStart: survey.periodStart, periodEnd: survey.periodEnd,
      minimumAge: survey.settings.minimumAge, inScope: icd10ScopeMatcher(survey.settings.icd10Scope),
    };
    let header: ReturnType<typeof mapHeader> | undefined;
    let batch: { row: number; record: string; reason: ExclusionReason }[] = [];
    let stored = 0;
    const flush = async () => {
      if (!batch.length) return;
      await this.dataSource.query(
        `INSERT INTO sample_file_exclusions (sample_file_id, row_number, patient_record_number, reason)
         SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
        [fileId, batch.map((b) => b.row), batch.map((b) => b.record), batch.map((b) => b.reason)]);
      stored += batch.length;
      batch = [];
    };
    for await (const { rowNumber, cells } of readSampleFile(path, await detectFormat(path))) {
      if (!header) { header = mapHeader(cells); continue; }
      if (cells.every((c) => !c || !c.trim()) || rejected.has(rowNumber) || sampled.has(rowNumber)) continue;
      const verdict = readSampleRow(cells, rowNumber, header, rules);
      if (verdict.kind === 'rejected') continue;
      const reason = verdict.exclusion ?? (deaths.has(verdict.record.nhsNumber) ? 'deceased' : 'duplicate');
      batch.push({ row: rowNumber, record: verdict.record.patientRecordNumber, reason });
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    return stored;
  }

  /** The excluded rows of a file the caller may see (checked by the report's own scope). */
  async list(fileId: string, scope: { surveyCode: string; trustCode: string }): Promise<ExcludedRow[]> {
    await this.files.report(fileId, scope);
    const rows: { row_number: number; patient_record_number: string; reason: ExclusionReason }[] = await this.dataSource.query(
      'SELECT row_number, patient_record_number, reason FROM sample_file_exclusions WHERE sample_file_id = $1 ORDER BY row_number', [fileId]);
    return rows.map((r) => ({ row: r.row_number, recordNumber: r.patient_record_number, reason: r.reason, sentence: EXCLUSION_SENTENCES[r.reason] }));
  }

  private async numbers(sql: string, params: unknown[]): Promise<Set<number>> {
    return new Set((await this.dataSource.query(sql, params) as { n: number }[]).map((r) => r.n));
  }
}

/** The excluded rows as CSV: row, record number, reason code and the reason in words. */
export function exclusionsCsv(rows: ExcludedRow[]): string {
  const lines: CsvValue[][] = [['row', 'patient_record_number', 'reason', 'explanation']];
  for (const r of rows) lines.push([r.row, r.recordNumber, r.reason, r.sentence]);
  return csvLines(lines);
}
