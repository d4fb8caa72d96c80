import type PDFDocument from 'pdfkit';
import { fillLetter, LetterFields, LetterTemplate } from './letter-template';
import { A4, drawBarcode, drawQr, MARGIN, MM, TypeScale } from './pdf-layout';

type Doc = InstanceType<typeof PDFDocument>;

export interface Addressee {
  lines: string[];
  /** Set the block smaller rather than wrap its first line ("To the parent or carer of <name>"). */
  firstLineWhole?: boolean;
}

// Where a C5 or DL window shows the address of an A4 letter folded to fit: 20 mm from the
// left edge, 45 mm from the top, 90 × 40 mm (Royal Mail's window guidance leaves margins inside).
export const ADDRESS_WINDOW = { x: 20 * MM, y: 45 * MM, width: 90 * MM, height: 40 * MM };

/** What every letter of a survey carries whatever its template says: who signs it, where the privacy notice is. */
export interface LetterFooter {
  signatory: { name: string; role: string };
  privacyUrl: string;
}

/**
 * The cover or reminder letter: the trust's name as its heading; return line and address in the
 * window, reference and date beside it; body, online route, the signatory and a note on how the
 * patient's information is used.
 */
export function drawLetter(
  doc: Doc, t: LetterTemplate, fields: LetterFields, to: Addressee, scale: TypeScale, date: string, footer: LetterFooter,
): void {
  doc.addPage();
  const right = A4.width - MARGIN;
  const width = right - MARGIN;
  const w = ADDRESS_WINDOW;
  drawLetterhead(doc, fields.trustName, scale, w.y - MARGIN - 4);

  doc.font('body').fontSize(Math.min(scale.small, 7)).text('Return to: CPES Fieldwork, FREEPOST FIELDWORK', w.x, w.y, { width: w.width, lineBreak: false });
  // "To the parent or carer of" a long name is set smaller rather than wrapped, so the child's
  // name never stands alone as the line a letter is addressed to.
  doc.font('body');
  let size = Math.min(scale.body, 11);
  while (to.firstLineWhole && size > 7 && doc.fontSize(size).widthOfString(to.lines[0]) > w.width) size -= 0.5;
  doc.fontSize(size).text(to.lines.join('\n'), w.x, w.y + 12, { width: w.width, height: w.height - 12, lineGap: 1 });

  const refX = 125 * MM;
  doc.fontSize(scale.small).text('Your reference', refX, w.y, { lineBreak: false });
  doc.font('bold').fontSize(scale.body).text(fields.reference, refX, w.y + scale.small + 3, { lineBreak: false });
  const barcodeTop = w.y + scale.small + scale.body + 8;
  drawBarcode(doc, fields.reference, refX, barcodeTop, 24);
  doc.font('body').fontSize(scale.small).text(date, refX, barcodeTop + 30, { lineBreak: false });

  doc.font('bold').fontSize(scale.heading).text(fillLetter(t.heading, fields), MARGIN, w.y + w.height + 5 * MM, { width });
  doc.moveDown(0.5);
  doc.font('body').fontSize(scale.body);
  for (const paragraph of t.paragraphs) {
    doc.text(fillLetter(paragraph, fields), MARGIN, doc.y, { width, paragraphGap: scale.body * 0.6, lineGap: 1.5 });
  }
  // The sign-off and the signatory stay together, on the page the letter's text ends on if they fit.
  doc.font('body').fontSize(scale.body);
  if (doc.y + doc.currentLineHeight(true) * 5 > A4.height - MARGIN) startPage(doc);
  doc.text(fillLetter(t.signOff, fields), MARGIN, doc.y, { width });
  doc.moveDown(0.5).font('bold').text(footer.signatory.name, { width });
  doc.font('body').text(footer.signatory.role, { width });
  drawOnlineBox(doc, fields, scale);
  drawPrivacyNote(doc, footer.privacyUrl, scale);
}

/** The note is the same in every letter at a type scale: measured once. */
const noteHeights = new Map<TypeScale, number>();

/** A short "How we use your information", kept whole on one page, pointing to the privacy notice. */
function drawPrivacyNote(doc: Doc, privacyUrl: string, scale: TypeScale): void {
  const width = A4.width - 2 * MARGIN;
  const note = 'We use your name and address only to send you this survey and its reminders. Your answers are '
    + 'confidential and are reported without your name. Our privacy notice explains more (the helpline can post you a copy):';
  doc.font('body').fontSize(scale.body);
  const line = doc.currentLineHeight(true);
  let height = noteHeights.get(scale);
  if (height === undefined) noteHeights.set(scale, (height = line * 2.5 + doc.heightOfString(note, { width, lineGap: 1.5 })));
  if (doc.y + height > A4.height - MARGIN) startPage(doc);
  else doc.y += scale.body * 0.5;
  doc.font('bold').text('How we use your information', MARGIN, doc.y, { width });
  doc.font('body').text(note, { width, lineGap: 1.5 });
  // On a line of its own, never broken: it is typed in by hand.
  doc.font('bold').text(privacyUrl, MARGIN, doc.y, { lineBreak: false });
  doc.x = MARGIN;
  doc.y += line;
}

/** The trust's name, top right, in the largest type on the letter; a long name is set smaller rather than run into the window. */
function drawLetterhead(doc: Doc, trustName: string, scale: TypeScale, room: number): void {
  const width = A4.width - 2 * MARGIN;
  let size = scale.title;
  doc.font('bold');
  while (size > scale.heading + 1 && doc.fontSize(size).heightOfString(trustName, { width }) > room) size--;
  doc.fontSize(size).text(trustName, MARGIN, MARGIN, { width, align: 'right' });
}

function startPage(doc: Doc): void {
  doc.addPage();
  doc.x = MARGIN;
  doc.y = MARGIN;
}

function drawOnlineBox(doc: Doc, fields: LetterFields, scale: TypeScale): void {
  const qr = 24 * MM;
  const height = Math.max(qr, scale.body * 5) + 12;
  if (doc.y + height + 8 > A4.height - MARGIN) startPage(doc);
  const top = doc.y + 8;
  const width = A4.width - 2 * MARGIN;
  doc.lineWidth(1).rect(MARGIN, top, width, height).stroke();
  const textWidth = width - qr - 24;
  doc.font('bold').fontSize(scale.body).text('Answer online', MARGIN + 8, top + 6, { width: textWidth });
  doc.font('body').text(fields.onlineUrl, { width: textWidth });
  doc.text('Access code: ', { continued: true, width: textWidth }).font('bold').text(fields.accessCode);
  doc.font('body').fontSize(scale.small).text(`Freephone helpline ${fields.helplinePhone}`, { width: textWidth });
  drawQr(doc, `${fields.onlineUrl}/${fields.accessCode}`, MARGIN + width - qr - 6, top + 6, qr);
  doc.x = MARGIN;
  doc.y = top + height + 4;
}
