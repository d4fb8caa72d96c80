import type PDFDocument from 'pdfkit';
import type { AnswerOption, Question, QuestionnaireDefinition } from './questionnaire-definition';
import { A4, MARGIN, TypeScale } from './pdf-layout';

type Doc = InstanceType<typeof PDFDocument>;
const WIDTH = A4.width - 2 * MARGIN;
const BOTTOM = A4.height - MARGIN - 8;

/**
 * Heights of each question for a questionnaire at a type scale. They are the same for every
 * patient, and measuring text is most of the cost of a pack, so they are measured once.
 */
const heights = new WeakMap<QuestionnaireDefinition, Map<TypeScale, Map<Question, number>>>();
function measured(doc: Doc, q: QuestionnaireDefinition, s: TypeScale): Map<Question, number> {
  let byScale = heights.get(q);
  if (!byScale) heights.set(q, (byScale = new Map()));
  let byQuestion = byScale.get(s);
  if (!byQuestion) {
    byQuestion = new Map(q.sections.flatMap((sec) => sec.questions).map((x) => [x, questionHeight(doc, x, s)]));
    byScale.set(s, byQuestion);
  }
  return byQuestion;
}

/** The paper questionnaire, page after page, with tick boxes and routing beside the answers. */
export function drawQuestionnaire(doc: Doc, q: QuestionnaireDefinition, scale: TypeScale): void {
  const height = measured(doc, q, scale);
  doc.addPage();
  doc.font('bold').fontSize(scale.title).text(q.title, MARGIN, MARGIN, { width: WIDTH });
  doc.moveDown(0.4).font('body').fontSize(scale.body).text(q.introduction, { width: WIDTH, lineGap: 1.5 });
  for (const section of q.sections) {
    ensureRoom(doc, scale.heading * 2 + height.get(section.questions[0])!);
    doc.moveDown(0.6);
    const top = doc.y;
    doc.rect(MARGIN, top, WIDTH, scale.heading + 8).fill('#005eb8');
    doc.fillColor('white').font('bold').fontSize(scale.heading).text(section.title, MARGIN + 6, top + 4, { width: WIDTH - 12 });
    doc.fillColor('black').moveDown(0.3);
    if (section.introduction) doc.font('body').fontSize(scale.small).text(section.introduction, MARGIN, doc.y, { width: WIDTH });
    for (const question of section.questions) drawQuestion(doc, question, scale, height.get(question)!);
  }
  ensureRoom(doc, scale.body * 6);
  doc.moveDown().font('bold').fontSize(scale.body).text(q.closing, MARGIN, doc.y, { width: WIDTH });
}

function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > BOTTOM) {
    doc.addPage();
    doc.y = MARGIN;
  }
}

const NUMBER_WIDTH = 30;
const textWidth = () => WIDTH - NUMBER_WIDTH;

function questionHeight(doc: Doc, q: Question, s: TypeScale): number {
  doc.font('bold').fontSize(s.body);
  let h = doc.heightOfString(q.text, { width: textWidth() }) + s.body * 1.6;
  if (q.type === 'single' || q.type === 'multiple') {
    doc.font('body').fontSize(s.body);
    for (const o of q.options ?? []) h += Math.max(doc.heightOfString(optionLabel(o), { width: textWidth() - s.box - 10 }), s.box) + 4;
  } else if (q.type === 'rating') h += s.box * 2 + s.small * 2 + 12;
  else h += 80 + s.body;
  return h;
}

const optionLabel = (o: AnswerOption) => (o.goTo === undefined ? o.label : `${o.label}  → ${o.goTo === 'end' ? 'Go to the end' : `Go to ${o.goTo}`}`);

function drawQuestion(doc: Doc, q: Question, s: TypeScale, height: number): void {
  ensureRoom(doc, height);
  doc.moveDown(0.5);
  const top = doc.y;
  doc.font('bold').fontSize(s.body).text(String(q.number), MARGIN, top, { width: NUMBER_WIDTH - 4 });
  doc.text(q.text, MARGIN + NUMBER_WIDTH, top, { width: textWidth() });
  if (q.instruction) doc.font('body').fontSize(s.small).fillColor('#425563').text(q.instruction, { width: textWidth() }).fillColor('black');
  const left = MARGIN + NUMBER_WIDTH;
  doc.font('body').fontSize(s.body);
  if (q.type === 'single' || q.type === 'multiple') {
    for (const option of q.options ?? []) {
      const y = doc.y + 3;
      doc.lineWidth(0.8).rect(left, y, s.box, s.box).stroke();
      doc.text(optionLabel(option), left + s.box + 8, y - 1, { width: textWidth() - s.box - 10 });
    }
  } else if (q.type === 'rating') {
    const count = q.max! - q.min! + 1;
    const step = Math.min(36, textWidth() / count);
    const y = doc.y + 4;
    for (let i = 0; i < count; i++) {
      const x = left + i * step;
      doc.fontSize(s.small).text(String(q.min! + i), x, y, { width: s.box, align: 'center', lineBreak: false });
      doc.lineWidth(0.8).rect(x, y + s.small + 3, s.box, s.box).stroke();
    }
    doc.fontSize(s.small).text(q.minLabel!, left, y + s.small + s.box + 6, { lineBreak: false });
    doc.text(q.maxLabel!, left, y + s.small + s.box + 6, { width: step * count, align: 'right', lineBreak: false });
    doc.x = MARGIN;
    doc.y = y + s.small * 2 + s.box + 8;
  } else {
    const y = doc.y + 4;
    doc.lineWidth(0.8).rect(left, y, textWidth(), 80).stroke();
    doc.y = y + 84;
  }
  if (q.goTo !== undefined) doc.font('bold').fontSize(s.small).text(q.goTo === 'end' ? '→ Go to the end' : `→ Go to ${q.goTo}`, left, doc.y + 2);
  doc.x = MARGIN;
}
