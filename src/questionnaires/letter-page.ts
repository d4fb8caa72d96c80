import type PDFDocument from 'pdfkit';
import { fillLetter, LetterFields, LetterTemplate } from './letter-template';
import { A4, drawBarcode, drawQr, MARGIN, MM, TypeScale } from './pdf-layout';

type Doc = InstanceType<typeof PDFDocument>;

export interface Addressee { lines: string[] }

// Where a C5 or DL window shows the address of an A4 letter folded to fit: 20 mm from the
// left edge, 45 mm from the top, 90 × 40 mm (Royal Mail's window guidance leaves margins inside).
export const ADDRESS_WINDOW = { x: 20 * MM, y: 45 * MM, width: 90 * MM, height: 40 * MM };

/** The cover or reminder letter: return line and address in the window, reference, body, online route. */
export function drawLetter(doc: Doc, t: LetterTemplate, fields: LetterFields, to: Addressee, scale: TypeScale, date: string): void {
  doc.addPage();
  const right = A4.width - MARGIN;
  doc.font('bold').fontSize(scale.heading).text(fields.trustName, MARGIN, MARGIN, { width: right - MARGIN, align: 'right' });
  doc.font('body').fontSize(scale.small).text(date, MARGIN, doc.y + 2, { width: right - MARGIN, align: 'right' });

  const w = ADDRESS_WINDOW;
  doc.fontSize(Math.min(scale.small, 7)).text('Return to: CPES Fieldwork, FREEPOST FIELDWORK', w.x, w.y, { width: w.width, lineBreak: false });
  doc.font('body').fontSize(Math.min(scale.body, 11)).text(to.lines.join('\n'), w.x, w.y + 12, { width: w.width, height: w.height - 12, lineGap: 1 });

  const refX = 125 * MM;
  doc.fontSize(scale.small).text('Your reference', refX, w.y, { lineBreak: false });
  doc.font('bold').fontSize(scale.body).text(fields.reference, refX, w.y + scale.small + 3, { lineBreak: false });
  drawBarcode(doc, fields.reference, refX, w.y + scale.small + scale.body + 8, 24);

  doc.font('bold').fontSize(scale.heading).text(fillLetter(t.heading, fields), MARGIN, w.y + w.height + 8 * MM, { width: right - MARGIN });
  doc.moveDown(0.5);
  doc.font('body').fontSize(scale.body);
  for (const paragraph of t.paragraphs) {
    doc.text(fillLetter(paragraph, fields), MARGIN, doc.y, { width: right - MARGIN, paragraphGap: scale.body * 0.6, lineGap: 1.5 });
  }
  doc.text(fillLetter(t.signOff, fields), { width: right - MARGIN });
  drawOnlineBox(doc, fields, scale);
}

function drawOnlineBox(doc: Doc, fields: LetterFields, scale: TypeScale): void {
  const qr = 26 * MM;
  const height = Math.max(qr, scale.body * 5) + 12;
  if (doc.y + height + 8 > A4.height - MARGIN) doc.addPage();
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
