import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { csvLines, CsvValue } from '../infra/csv';
import { EXCLUSION_SENTENCES } from './sample-format';
import { SampleFilesService } from './sample-files.service';
import type { ExclusionReason } from './sample-row';

/** One excluded row as the trust sees it: where it is in their file and why, nothing that names the patient. */
export interface ExcludedRow { row: number; recordNumber: string; reason: ExclusionReason; sentence: string }

/**
 * The excluded rows of an accepted file, row by row: written by the import's own settling
 * statement (sample-settle.ts), which decides each row's outcome, so the list is exactly what the
 * import counted. Rejected files stored no sample: nothing is listed.
 */
@Injectable()
export class SampleExclusionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly files: SampleFilesService,
  ) {}

  /** The excluded rows of a file the caller may see (checked by the report's own scope). */
  async list(fileId: string, scope: { surveyCode: string; trustCode: string }): Promise<ExcludedRow[]> {
    await this.files.report(fileId, scope);
    const rows: { row_number: number; patient_record_number: string; reason: ExclusionReason }[] = await this.dataSource.query(
      'SELECT row_number, patient_record_number, reason FROM sample_file_exclusions WHERE sample_file_id = $1 ORDER BY row_number', [fileId]);
    return rows.map((r) => ({ row: r.row_number, recordNumber: r.patient_record_number, reason: r.reason, sentence: EXCLUSION_SENTENCES[r.reason] }));
  }
}

/** The excluded rows as CSV: row, record number, reason code and the reason in words. */
export function exclusionsCsv(rows: ExcludedRow[]): string {
  const lines: CsvValue[][] = [['row', 'patient_record_number', 'reason', 'explanation']];
  for (const r of rows) lines.push([r.row, r.recordNumber, r.reason, r.sentence]);
  return csvLines(lines);
}
