import { type FrequencyTable, type LocalReport, rowsBySection, type ScoreRow, withheldText } from './local-report';
import { longDate } from '../infra/dates';
import {
  type Column, COLOUR, CONTENT_WIDTH, type Doc, ensureRoom, heading, newDocument, numberPages, PAGE, paragraph, rangeChart, tableHeader, tableRow, toBuffer, trendArrow,
} from './pdf-drawing';

const LEVEL_TEXT = { national: 'National report', trust: 'Trust report', icb: 'Integrated Care Board report', alliance: 'Cancer Alliance report' } as const;
const FLAG_TEXT = { above: 'Above the expected range', within: 'Within the expected range', below: 'Below the expected range' } as const;

export const fig = (v: number | null | undefined): string => (v === null || v === undefined ? '' : v.toFixed(1));
const count = (v: number | null | undefined): string => (v === null || v === undefined ? '' : v.toLocaleString('en-GB'));
export const title = (r: LocalReport) => `${r.survey} local report: ${r.name}${r.code ? ` (${r.code})` : ''}`;

/** The local report as a PDF: title page, response rate, a chart per evaluative question, then the tables. */
export async function localReportPdf(r: LocalReport): Promise<Buffer> {
  const doc = newDocument(title(r));
  titlePage(doc, r);
  doc.addPage();
  responseRate(doc, r);
  scores(doc, r);
  frequencies(doc, r);
  breakdowns(doc, r);
  if (r.comments) comments(doc, r);
  numberPages(doc, `${r.survey} · ${r.name}`);
  return toBuffer(doc);
}

function titlePage(doc: Doc, r: LocalReport): void {
  doc.font('bold').fontSize(12).fillColor(COLOUR.muted).text('Cancer Patient Experience Survey', PAGE.margin, 200, { width: CONTENT_WIDTH });
  doc.moveDown(0.5).font('bold').fontSize(26).fillColor(COLOUR.text).text(r.name, { width: CONTENT_WIDTH });
  doc.moveDown(0.3).font('body').fontSize(14).text(`${LEVEL_TEXT[r.level]}${r.code ? ` · ${r.code}` : ''}`, { width: CONTENT_WIDTH });
  doc.moveDown(0.3).text(`${r.surveyName} (${r.survey})`, { width: CONTENT_WIDTH });
  doc.moveDown(2).fontSize(10).text(`${r.respondents.toLocaleString('en-GB')} respondents. Figures resting on fewer than ${r.threshold} respondents are not shown: `
    + `they read "${withheldText(r.threshold)}". Scores are the percentage of patients in the question's base who gave a positive answer, to one decimal place.`, { width: CONTENT_WIDTH });
  if (r.previousSurvey) doc.moveDown(0.5).text(`Change is measured against ${r.previousSurvey}, question by question.`, { width: CONTENT_WIDTH });
  doc.moveDown(0.5).fillColor(COLOUR.muted).text(`Produced ${longDate(r.generatedAt)}.`, { width: CONTENT_WIDTH }).fillColor(COLOUR.text);
}

function responseRate(doc: Doc, r: LocalReport): void {
  heading(doc, 'Response rate');
  const rr = r.responseRate;
  const columns: Column[] = [{ title: '', width: 340 }, { title: '', width: 100, align: 'right' }];
  tableRow(doc, columns, ['Patients sampled', count(rr.sampled)], { size: 10 });
  tableRow(doc, columns, ['Eligible (sampled less undelivered, deceased, ineligible)', count(rr.eligible)], { size: 10 });
  tableRow(doc, columns, ['Responded', count(rr.responded)], { size: 10 });
  tableRow(doc, columns, ['Response rate', rr.rate === null ? 'no eligible patients' : `${fig(rr.rate)}%`], { size: 10, bold: true });
  doc.moveDown(0.5);
  const y = doc.y, w = CONTENT_WIDTH * 0.6;
  doc.rect(PAGE.margin, y, w, 12).fill(COLOUR.band);
  if (rr.rate !== null) doc.rect(PAGE.margin, y, (w * rr.rate) / 100, 12).fill(COLOUR.inner);
  doc.fillColor(COLOUR.text);
  doc.y = y + 20;
}

function scores(doc: Doc, r: LocalReport): void {
  heading(doc, 'Scores by question');
  paragraph(doc, r.level === 'trust'
    ? 'For each scored question: the trust\'s adjusted score (the dot) within the range expected for a trust of its size (light bar 99.8%, dark bar 95%), and the national score (dashed line). Above or below means outside the 99.8% range.'
    : 'For each scored question: the score (the dot) on a scale of 0 to 100, and the national score (dashed line).');
  const sections = rowsBySection(r, r.scores);
  if (!sections) {
    for (const s of r.scores) scoreBlock(doc, r, s);
    return;
  }
  paragraph(doc, 'Children and young people answered their own part of the questionnaire and their parents or carers answered another: the two are reported separately.');
  for (const section of sections) {
    heading(doc, section.title, 12);
    paragraph(doc, `${section.respondents.toLocaleString('en-GB')} respondent${section.respondents === 1 ? '' : 's'} answered this part.`);
    for (const s of section.rows) scoreBlock(doc, r, s);
  }
}

function scoreBlock(doc: Doc, r: LocalReport, s: ScoreRow): void {
  const textWidth = CONTENT_WIDTH - 190;
  doc.font('bold').fontSize(8.5);
  const question = `${s.number}. ${s.text}`;
  const height = Math.max(doc.heightOfString(question, { width: textWidth }) + 26, 40);
  ensureRoom(doc, height);
  const y = doc.y;
  doc.fillColor(COLOUR.text).text(question, PAGE.margin, y, { width: textWidth });
  doc.font('body').fontSize(8);
  let line: string;
  if (s.suppressed || s.score === null) line = `${withheldText(r.threshold)} (base ${s.base})`;
  else if (r.level === 'trust') line = `Score ${fig(s.score)} · adjusted ${fig(s.adjusted)} · expected range ${fig(s.range998?.[0])}–${fig(s.range998?.[1])} · ${FLAG_TEXT[s.flag ?? 'within']} · base ${s.base}`;
  else line = `Score ${fig(s.score)} · base ${s.base}`;
  line += ` · national ${s.national === null ? withheldText(r.threshold) : fig(s.national)}`;
  doc.text(line, { width: textWidth });
  if (s.change) {
    const c = s.change;
    const text = c.change === null ? `No comparison with ${r.previousSurvey}` : `Change since ${r.previousSurvey}: ${c.change > 0 ? '+' : ''}${fig(c.change)} points (${fig(c.previous)} before)${c.significant ? ', significant' : ', not significant'}`;
    const ty = doc.y;
    if (c.change !== null) trendArrow(doc, PAGE.margin, ty + 4, c.change, c.significant === true);
    doc.font('body').fontSize(8).fillColor(COLOUR.text).text(text, PAGE.margin + (c.change === null ? 0 : 14), ty, { width: textWidth });
  }
  const dot = r.level === 'trust' ? s.adjusted : s.score;
  if (!s.suppressed && dot !== null && dot !== undefined) {
    rangeChart(doc, PAGE.margin + textWidth + 15, y, 170, { dot, national: s.national, range95: s.range95, range998: s.range998, flag: s.flag });
  }
  doc.x = PAGE.margin;
  doc.y = Math.max(doc.y, y + 30) + 6;
}

function frequencies(doc: Doc, r: LocalReport): void {
  doc.addPage();
  heading(doc, 'Answers to every question');
  paragraph(doc, 'Respondents giving each answer, and the percentage of those who answered the question (a question allowing several answers can add up to more than 100%).');
  const columns: Column[] = [{ title: 'Answer', width: CONTENT_WIDTH - 140 }, { title: 'Respondents', width: 70, align: 'right' }, { title: 'Per cent', width: 70, align: 'right' }];
  for (const section of rowsBySection(r, r.frequencies) ?? [{ title: null, rows: r.frequencies }]) {
    if (section.title) heading(doc, section.title, 12);
    frequencyTables(doc, r, section.rows, columns);
  }
}

function frequencyTables(doc: Doc, r: LocalReport, tables: FrequencyTable[], columns: Column[]): void {
  for (const f of tables) {
    ensureRoom(doc, 60);
    doc.moveDown(0.4).font('bold').fontSize(8.5).fillColor(COLOUR.text).text(`${f.number}. ${f.text}`, PAGE.margin, doc.y, { width: CONTENT_WIDTH });
    doc.font('body').fontSize(8).text(f.suppressed ? `${f.answered} answered: ${withheldText(r.threshold)}` : `${f.answered} answered${f.mean !== undefined && f.mean !== null ? ` · mean ${fig(f.mean)}` : ''}`);
    if (f.suppressed) continue;
    tableHeader(doc, columns);
    f.options.forEach((o, i) => tableRow(doc, columns, [o.label, count(o.count), fig(o.percent)], { shade: i % 2 === 1 }));
  }
}

function breakdowns(doc: Doc, r: LocalReport): void {
  for (const b of r.breakdowns) {
    doc.addPage();
    heading(doc, `Scores by ${b.label.toLowerCase()}`);
    const groupWidth = 150;
    const columns: Column[] = [{ title: 'Question', width: 50 }, { title: b.label, width: groupWidth }, { title: 'Base', width: 60, align: 'right' },
      { title: 'Score', width: CONTENT_WIDTH - 260, align: 'left' }];
    tableHeader(doc, columns);
    for (const row of b.rows) {
      row.cells.forEach((c, i) => tableRow(doc, columns,
        [i === 0 ? String(row.number) : '', c.group, String(c.base), c.suppressed ? withheldText(r.threshold) : fig(c.score)], { shade: row.number % 2 === 0 }));
    }
  }
}

function comments(doc: Doc, r: LocalReport): void {
  doc.addPage();
  heading(doc, "Patients' comments");
  if (!r.comments?.length) {
    paragraph(doc, 'There are no comments to show for this trust.', 10);
    return;
  }
  paragraph(doc, 'What patients wrote, with anything that could identify a person removed.');
  for (const c of r.comments) {
    paragraph(doc, `${c.questionNumber}. ${c.question}`, 8.5);
    paragraph(doc, c.text, 9);
  }
}
