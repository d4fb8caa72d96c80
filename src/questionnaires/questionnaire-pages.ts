import type PDFDocument from 'pdfkit';
import type { AnswerOption, Question, QuestionnaireDefinition } from './questionnaire-definition';
import { A4, HINT_COLOUR, MARGIN, MM, TypeScale } from './pdf-layout';
import { PART_HEADINGS, questionnaireParts } from './questionnaire-parts';

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
  const parts = questionnaireParts(q);
  parts.forEach(({ part, definition }, i) => {
    if (part !== 'whole') {
      // Each respondent's part starts on its own page, so it can be handed to the one answering it.
      if (i > 0) {
        doc.addPage();
        doc.y = MARGIN;
      }
      drawPartHeading(doc, `${parts.length > 1 ? `Part ${i + 1} of ${parts.length}: ` : ''}${PART_HEADINGS[part]}`, scale);
    }
    drawSections(doc, definition.sections, scale, height);
  });
  ensureRoom(doc, scale.body * 6);
  doc.moveDown().font('bold').fontSize(scale.body).text(q.closing, MARGIN, doc.y, { width: WIDTH });
}

function drawPartHeading(doc: Doc, text: string, scale: TypeScale): void {
  doc.moveDown(0.8);
  const top = doc.y;
  doc.rect(MARGIN, top, WIDTH, scale.title + 12).fill('#330072');
  doc.fillColor('white').font('bold').fontSize(scale.title).text(text, MARGIN + 6, top + 6, { width: WIDTH - 12 });
  doc.fillColor('black').moveDown(0.3);
}

function drawSections(doc: Doc, sections: QuestionnaireDefinition['sections'], scale: TypeScale, height: Map<Question, number>): void {
  for (const section of sections) {
    ensureRoom(doc, scale.heading * 2 + height.get(section.questions[0])!);
    doc.moveDown(0.6);
    const top = doc.y;
    doc.rect(MARGIN, top, WIDTH, scale.heading + 8).fill('#005eb8');
    doc.fillColor('white').font('bold').fontSize(scale.heading).text(section.title, MARGIN + 6, top + 4, { width: WIDTH - 12 });
    doc.fillColor('black').moveDown(0.3);
    if (section.introduction) doc.font('body').fontSize(scale.small).text(section.introduction, MARGIN, doc.y, { width: WIDTH });
    for (const question of section.questions) drawQuestion(doc, question, scale, height.get(question)!);
  }
}

function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > BOTTOM) {
    doc.addPage();
    doc.y = MARGIN;
  }
}

const NUMBER_WIDTH = 30;
const textWidth = () => WIDTH - NUMBER_WIDTH;

/** Room to write by hand: at least 50 mm, whatever the type size. */
const WRITE_IN_HEIGHT = Math.ceil(50 * MM);

function questionHeight(doc: Doc, q: Question, s: TypeScale): number {
  doc.font('bold').fontSize(s.body);
  let h = doc.heightOfString(q.text, { width: textWidth() }) + s.body * 1.6;
  if (q.instruction) h += doc.font('body').fontSize(s.small).heightOfString(q.instruction, { width: textWidth() });
  if (q.type === 'single' || q.type === 'multiple') {
    doc.font('body').fontSize(s.body);
    for (const o of q.options ?? []) h += Math.max(doc.heightOfString(optionLabel(o), { width: textWidth() - s.box - 10 }), s.box) + 4;
  } else if (q.type === 'rating') h += ratingHeight(doc, q, s);
  else h += WRITE_IN_HEIGHT + 8;
  return h;
}

const optionLabel = (o: AnswerOption) => (o.goTo === undefined ? o.label : `${o.label}  → ${o.goTo === 'end' ? 'Go to the end' : `Go to ${o.goTo}`}`);

function drawQuestion(doc: Doc, q: Question, s: TypeScale, height: number): void {
  ensureRoom(doc, height);
  doc.moveDown(0.5);
  const top = doc.y;
  doc.font('bold').fontSize(s.body).text(String(q.number), MARGIN, top, { width: NUMBER_WIDTH - 4 });
  doc.text(q.text, MARGIN + NUMBER_WIDTH, top, { width: textWidth() });
  if (q.instruction) doc.font('body').fontSize(s.small).fillColor(HINT_COLOUR).text(q.instruction, { width: textWidth() }).fillColor('black');
  const left = MARGIN + NUMBER_WIDTH;
  doc.font('body').fontSize(s.body);
  if (q.type === 'single' || q.type === 'multiple') {
    for (const option of q.options ?? []) {
      const y = doc.y + 3;
      doc.lineWidth(0.8).rect(left, y, s.box, s.box).stroke();
      doc.text(optionLabel(option), left + s.box + 8, y - 1, { width: textWidth() - s.box - 10 });
    }
  } else if (q.type === 'rating') {
    drawRating(doc, q, s, left);
  } else {
    const y = doc.y + 4;
    doc.lineWidth(0.8).rect(left, y, textWidth(), WRITE_IN_HEIGHT).stroke();
    doc.y = y + WRITE_IN_HEIGHT + 4;
  }
  if (q.goTo !== undefined) doc.font('bold').fontSize(s.small).text(q.goTo === 'end' ? '→ Go to the end' : `→ Go to ${q.goTo}`, left, doc.y + 2);
  doc.x = MARGIN;
}

/** Space between a rating's numbers and its boxes, and between the boxes and the end labels. */
const RATING_GAP = 4;

/** Where a rating's boxes go: one per point of the scale, `step` apart from `left`. */
function ratingRow(q: Question, s: TypeScale, left: number) {
  const count = q.max! - q.min! + 1;
  const step = Math.min(36, textWidth() / count);
  const right = left + (count - 1) * step + s.box;
  // Each end label has half the row, so the two can never run into each other.
  return { count, step, right, endWidth: (right - left) / 2 - 6 };
}

function ratingHeight(doc: Doc, q: Question, s: TypeScale): number {
  const { endWidth } = ratingRow(q, s, 0);
  doc.font('body').fontSize(s.small);
  const ends = Math.max(doc.heightOfString(q.minLabel!, { width: endWidth }), doc.heightOfString(q.maxLabel!, { width: endWidth }));
  return 4 + doc.currentLineHeight(true) + RATING_GAP + s.box + RATING_GAP + ends + 4;
}

/**
 * A 0–10 scale: each number whole and centred over its own box with a clear gap, the end labels
 * under the first and last boxes. Numbers are measured and placed at their own left edge, never
 * given a width: a width narrower than "10" made pdfkit break it, its "0" landing inside the
 * box, where it looks ticked and a scanner reads a mark.
 */
function drawRating(doc: Doc, q: Question, s: TypeScale, left: number): void {
  const { count, step, right, endWidth } = ratingRow(q, s, left);
  const top = doc.y + 4;
  doc.font('body').fontSize(s.small);
  const boxTop = top + doc.currentLineHeight(true) + RATING_GAP;
  for (let i = 0; i < count; i++) {
    const x = left + i * step;
    const label = String(q.min! + i);
    doc.text(label, x + (s.box - doc.widthOfString(label)) / 2, top, { lineBreak: false });
    doc.lineWidth(0.8).rect(x, boxTop, s.box, s.box).stroke();
  }
  const endTop = boxTop + s.box + RATING_GAP;
  doc.text(q.minLabel!, left, endTop, { width: endWidth });
  const lowEnd = doc.y;
  doc.text(q.maxLabel!, right - endWidth, endTop, { width: endWidth, align: 'right' });
  doc.x = MARGIN;
  doc.y = Math.max(lowEnd, doc.y) + 4;
}
