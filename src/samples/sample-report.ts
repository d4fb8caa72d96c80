import { csvLines, CsvValue } from '../infra/csv';
import type { ExclusionReason, RowProblem } from './sample-row';

/** What a trust gets back for an upload, over HTTP and from `sample:import --json`. */
export interface SampleFileReport {
  fileId: string;
  survey: string;
  trust: string;
  fileName: string;
  format: 'csv' | 'xlsx';
  uploadedAt: string;
  uploadedBy: string;
  status: 'accepted' | 'rejected';
  /** Why the whole file was rejected; null when accepted. */
  rejection: string | null;
  /** True while this is the trust's sample in use (accepted and not replaced since). */
  current: boolean;
  rowsRead: number;
  rowsRejected: number;
  excluded: Record<ExclusionReason, number>;
  sampled: number;
  rejectedRows: RowProblem[];
  warnings: RowProblem[];
}

/** The rejected rows and warnings as a CSV a trust can open beside its own file. */
export function reportCsv(report: SampleFileReport): string {
  const lines: CsvValue[][] = [['row', 'column', 'severity', 'message']];
  const problems = [
    ...report.rejectedRows.map((p) => ({ ...p, severity: 'rejected' })),
    ...report.warnings.map((p) => ({ ...p, severity: 'warning' })),
  ].sort((a, b) => a.row - b.row);
  if (report.rejection) lines.push(['', '', 'file rejected', report.rejection]);
  for (const p of problems) lines.push([p.row, p.column, p.severity, p.message]);
  return csvLines(lines);
}
