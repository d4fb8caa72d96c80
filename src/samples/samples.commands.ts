import { basename } from 'node:path';
import { command, existingFile } from '../cli/cli-command';
import { SampleFilesService } from './sample-files.service';
import { SampleImportService } from './sample-import.service';
import type { SampleFileReport } from './sample-report';
import { longDate } from '../infra/dates';

function summaryText(r: SampleFileReport): string {
  const excluded = Object.entries(r.excluded).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const lines = [
    `${r.fileName}: ${r.status.toUpperCase()}${r.rejection ? ` (${r.rejection})` : ''}`,
    `rows read ${r.rowsRead}, rejected ${r.rowsRejected}, sampled ${r.sampled}`,
    `excluded: ${excluded}`,
    `file id ${r.fileId}`,
  ];
  const shown = r.rejectedRows.slice(0, 20).map((p) => `  row ${p.row}, ${p.column}: ${p.message}`);
  if (shown.length) lines.push('rejected rows:', ...shown);
  if (r.rejectedRows.length > shown.length) lines.push(`  … and ${r.rejectedRows.length - shown.length} more (use --json)`);
  return lines.join('\n');
}

export const sampleImport = command({
  name: 'sample:import',
  summary: "Import a trust's sample file (CSV or .xlsx); exits 1 when the file is rejected",
  options: {
    survey: { type: 'string', required: true, description: 'survey code, e.g. CPES-2026' },
    trust: { type: 'string', required: true, description: 'ODS code of the trust the file is from' },
    file: { type: 'string', required: true, description: 'path to the CSV or .xlsx file' },
  },
  async run({ app, options }) {
    const path = existingFile(options.file);
    const fileId = await app.get(SampleImportService).import({
      surveyCode: options.survey, trustCode: options.trust, path, fileName: basename(path), uploadedBy: 'cli',
    });
    const report = await app.get(SampleFilesService).report(fileId);
    return { json: report, text: summaryText(report), exitCode: report.status === 'accepted' ? 0 : 1 };
  },
});

export const sampleReport = command({
  name: 'sample:report',
  summary: 'Show the validation report of an uploaded sample file',
  options: { 'file-id': { type: 'string', required: true, description: 'the id printed by sample:import' } },
  async run({ app, options }) {
    const report = await app.get(SampleFilesService).report(options['file-id']);
    return { json: report, text: summaryText(report) };
  },
});

export const sampleStatus = command({
  name: 'sample:status',
  summary: "Each trust's current sample file and sampled patients",
  options: { survey: { type: 'string', required: true, description: 'survey code' } },
  async run({ app, options }) {
    const status = await app.get(SampleFilesService).status(options.survey);
    const text = [
      `${status.survey}: sample ${status.lockedAt ? `locked ${longDate(status.lockedAt)}` : 'open for uploads'}`,
      ...status.trusts.map((t) => `${t.trust.padEnd(6)} ${t.currentFileId ? `${String(t.sampled).padStart(7)} sampled of ${t.rowsRead} rows` : '   no accepted file'}  (${t.uploads} upload(s))`),
    ].join('\n');
    return { json: status, text };
  },
});

export const sampleLock = command({
  name: 'sample:lock',
  summary: "Lock the survey's sample: no more uploads or replacements",
  options: { survey: { type: 'string', required: true, description: 'survey code' } },
  async run({ app, options }) {
    const locked = await app.get(SampleFilesService).lock(options.survey);
    return { json: locked, text: `Locked the sample for ${locked.survey}: ${locked.patients} patients from ${locked.trusts} trusts.` };
  },
});
