import ExcelJS from 'exceljs';
import { type LocalReport, withheldText } from './local-report';

type Cell = string | number | boolean | null;

/** The first line of every sheet: how withheld figures look. Tables start on row 3 (headers) and row 4 (data). */
export const HEADER_ROW = 3;
export const suppressionLine = (threshold: number) =>
  `Blank cells are withheld figures: they rest on ${withheldText(threshold)} (see the note column).`;

/**
 * The local report as a workbook: one sheet per table, figures as numbers (scores to one
 * decimal place as shown), withheld figures as empty cells with the reason in a note column.
 */
export async function localReportXlsx(r: LocalReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'CPES Fieldwork';
  const note = (suppressed: boolean) => (suppressed ? withheldText(r.threshold) : null);
  const blankIf = (suppressed: boolean, v: number | null | undefined): Cell => (suppressed || v === null || v === undefined ? null : v);

  const rr = r.responseRate;
  sheet(wb, 'Response rate', `${r.name}${r.code ? ` (${r.code})` : ''}: ${r.survey}. ${suppressionLine(r.threshold)}`,
    ['Measure', 'Value'],
    [['Patients sampled', rr.sampled], ['Eligible', rr.eligible], ['Responded', rr.responded], ['Response rate (%)', rr.rate], ['Respondents with an answer', r.respondents],
      // Questionnaires in parts: how many answered each respondent's part.
      ...(r.sections ?? []).map((x) => [`Respondents: ${x.title.toLowerCase()}`, x.respondents])]);

  const trust = r.level === 'trust';
  const trend = r.previousSurvey !== null;
  // Questionnaires in parts: a last column says whose answers each line is (adult sheets unchanged).
  const parts = r.sections !== undefined;
  const answeredBy = (who: string | undefined): Cell[] => (parts ? [r.sections!.find((x) => x.respondent === who)?.title ?? null] : []);
  sheet(wb, 'Scores', suppressionLine(r.threshold),
    ['Question', 'Wording', 'Base', 'Positive', 'Score', ...(trust ? ['Adjusted score', 'Expected', '95% low', '95% high', '99.8% low', '99.8% high', 'Against the expected range'] : []),
      'National score', ...(trend ? [`Score ${r.previousSurvey}`, 'Change (points)', 'Significant'] : []), 'Note', ...(parts ? ['Section'] : [])],
    r.scores.map((s) => {
      const w = s.suppressed;
      return [s.number, s.text, s.base, blankIf(w, s.positive), blankIf(w, s.score),
        ...(trust ? [blankIf(w, s.adjusted), blankIf(w, s.expected), blankIf(w, s.range95?.[0]), blankIf(w, s.range95?.[1]), blankIf(w, s.range998?.[0]), blankIf(w, s.range998?.[1]), w ? null : s.flag ?? null] : []),
        s.national, ...(trend ? [s.change?.previous ?? null, s.change?.change ?? null, s.change?.significant === null || !s.change ? null : s.change.significant ? 'yes' : 'no'] : []),
        note(w), ...answeredBy(s.respondent)];
    }));

  sheet(wb, 'Frequencies', suppressionLine(r.threshold),
    ['Question', 'Wording', 'Answered', 'Answer code', 'Answer', 'Respondents', 'Per cent', 'Mean', 'Note', ...(parts ? ['Section'] : [])],
    r.frequencies.flatMap((f) => f.options.map((o) => [f.number, f.text, f.answered, o.value, o.label, blankIf(f.suppressed, o.count), blankIf(f.suppressed, o.percent),
      f.mean === undefined ? null : blankIf(f.suppressed, f.mean), note(f.suppressed), ...answeredBy(f.respondent)])));

  for (const b of r.breakdowns) {
    sheet(wb, b.label.replace(/\s*\(.*\)$/, ''), `Scores by ${b.label.toLowerCase()}. ${suppressionLine(r.threshold)}`,
      ['Question', b.label, 'Base', 'Positive', 'Score', 'Note'],
      b.rows.flatMap((row) => row.cells.map((c) => [row.number, c.group, c.base, blankIf(c.suppressed, c.positive), blankIf(c.suppressed, c.score), note(c.suppressed)])));
  }

  if (r.comments) {
    sheet(wb, 'Comments', "Patients' comments, with anything that could identify a person removed.",
      ['Question', 'Wording', 'Comment'],
      r.comments.length ? r.comments.map((c) => [c.questionNumber, c.question, c.text]) : [[null, null, 'There are no comments to show for this trust.']]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function sheet(wb: ExcelJS.Workbook, name: string, headerLine: string, headers: string[], rows: Cell[][]): void {
  const ws = wb.addWorksheet(name.slice(0, 31));
  ws.getCell('A1').value = headerLine;
  ws.getCell('A1').font = { italic: true };
  const header = ws.getRow(HEADER_ROW);
  header.values = headers;
  header.font = { bold: true };
  rows.forEach((values, i) => { ws.getRow(HEADER_ROW + 1 + i).values = values.map((v) => (v === null ? undefined : v)) as ExcelJS.CellValue[]; });
  ws.columns.forEach((c, i) => { c.width = headers[i] === 'Wording' ? 60 : Math.max(10, Math.min(30, headers[i].length + 2)); });
  ws.views = [{ state: 'frozen', ySplit: HEADER_ROW }];
}
