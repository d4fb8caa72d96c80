import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { command, writtenTo, CLI_COORDINATOR, SURVEY_OPTION } from '../cli/cli-command';
import { csvLines } from '../infra/csv';
import { commentsCsvRows, CommentsService } from './comments/comments.service';
import { codebookCsvRows, datasetCsvRows } from './dataset/codebook';
import { DatasetService } from './dataset/dataset.service';


export const resultsComments = command({
  name: 'results:comments',
  summary: "One trust's patients' comments, redacted (names, addresses, postcodes, NHS numbers, dates, phones, e-mails removed)",
  options: {
    survey: SURVEY_OPTION,
    trust: { type: 'string', required: true, description: 'trust code' },
    csv: { type: 'boolean', description: 'print CSV (trust, question number, question, comment) instead of text' },
  },
  async run({ app, options }) {
    const r = await app.get(CommentsService).export(options.survey, options.trust, CLI_COORDINATOR);
    if (options.csv) return { json: r, text: csvLines(commentsCsvRows(r)).trimEnd() };
    return { json: r, text: r.comments.map((c) => `Q${c.questionNumber}: ${c.text}`).join('\n') || `No comments from ${r.trust}'s respondents.` };
  },
});

export const resultsDataset = command({
  name: 'results:dataset',
  summary: 'The respondent-level dataset for analysts (no identifiers, no free text) with its codebook: dataset.csv, codebook.csv, codebook.json',
  options: { survey: SURVEY_OPTION, out: { type: 'string', required: true, description: 'folder to write the three files into (created if missing)' } },
  async run({ app, options }) {
    const r = await app.get(DatasetService).dataset(options.survey, CLI_COORDINATOR);
    const dir = resolve(options.out);
    const files = { dataset: join(dir, 'dataset.csv'), codebookCsv: join(dir, 'codebook.csv'), codebookJson: join(dir, 'codebook.json') };
    await writtenTo('--out', 'The dataset', async () => {
      await mkdir(dir, { recursive: true });
      await writeFile(files.dataset, csvLines(datasetCsvRows(r.columns, r.rows)));
      await writeFile(files.codebookCsv, csvLines(codebookCsvRows(r.columns)));
      await writeFile(files.codebookJson, `${JSON.stringify({ survey: r.survey, columns: r.columns }, null, 2)}\n`);
    });
    return { json: { survey: r.survey, respondents: r.rows.length, columns: r.columns.length, files },
      text: `${r.rows.length} respondents × ${r.columns.length} columns written to ${files.dataset}, with ${files.codebookCsv} and ${files.codebookJson}` };
  },
});
