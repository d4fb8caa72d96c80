import type PDFDocument from 'pdfkit';
import { code128, dejaVu, qrModules } from './pdf-assets';

type Doc = InstanceType<typeof PDFDocument>;
export const MM = 72 / 25.4;
export const A4 = { width: 595.28, height: 841.89 };
export const MARGIN = 20 * MM;

/**
 * Type sizes for a pack. Many patients are old or unwell: nothing they read is set below 12 pt
 * (16 pt in large print); `small` is the size of hints, labels and the page footer.
 */
export interface TypeScale { body: number; small: number; heading: number; title: number; box: number }
export const STANDARD: TypeScale = { body: 12, small: 12, heading: 14, title: 18, box: 12 };
export const LARGE_PRINT: TypeScale = { body: 16, small: 16, heading: 20, title: 24, box: 16 };

/** Hints ("Tick one box"): NHS text colour, as dark as the body text, never a pale grey. */
export const HINT_COLOUR = '#212b32';

export const BLANK_PAGE_TEXT = 'This page is intentionally blank';

/**
 * Adds a page reading "This page is intentionally blank" when the pages from `firstPage` on are
 * odd in number, so that what follows starts on the front of a sheet when printed on both sides:
 * packs concatenated in a print file then never share a sheet.
 */
export function padToEvenPages(doc: Doc, firstPage: number, scale: TypeScale): void {
  const { start, count } = doc.bufferedPageRange();
  if ((start + count - firstPage) % 2 === 0) return;
  doc.addPage();
  doc.font('body').fontSize(scale.body).fillColor('black')
    .text(BLANK_PAGE_TEXT, MARGIN, A4.height / 2 - scale.body, { width: A4.width - 2 * MARGIN, align: 'center' });
}

/** Registers the embedded Unicode fonts as "body" and "bold" in a new document. */
export function useFonts(doc: Doc): void {
  const { regular, bold } = dejaVu();
  doc.registerFont('body', regular as Buffer);
  doc.registerFont('bold', bold as Buffer);
  doc.font('body');
}

const n = (v: number) => String(Math.round(v * 1000) / 1000);

/**
 * Filled rectangles as one path in raw PDF operators, drawn at (x, y) in black. A pack stamps
 * its barcode on every page: one prepared path is far cheaper than a pdfkit call per bar, and
 * q/Q keep pdfkit's own idea of the colour and position true.
 */
function fillPath(doc: Doc, path: string, x: number, y: number): void {
  doc.addContent(`q 0 0 0 rg 1 0 0 1 ${n(x)} ${n(y)} cm\n${path}f\nQ`);
}

let lastBars: { key: string; path: string; width: number } | undefined;

/** Vector Code 128: bars as filled rectangles, `height` tall, starting at (x, y). Returns its width. */
export function drawBarcode(doc: Doc, text: string, x: number, y: number, height: number, module = 0.9): number {
  const key = `${text}|${height}|${module}`;
  if (lastBars?.key !== key) {
    let path = '';
    let cursor = 0;
    code128(text).forEach((width, i) => {
      if (i % 2 === 0) path += `${n(cursor)} 0 ${n(width * module)} ${n(height)} re\n`;
      cursor += width * module;
    });
    lastBars = { key, path, width: cursor };
  }
  fillPath(doc, lastBars.path, x, y);
  return lastBars.width;
}

export function drawQr(doc: Doc, text: string, x: number, y: number, size: number): void {
  const { size: count, dark } = qrModules(text);
  const cell = size / count;
  let path = '';
  for (let row = 0; row < count; row++) {
    for (let col = 0; col < count; col++) if (dark(row, col)) path += `${n(col * cell)} ${n(row * cell)} ${n(cell)} ${n(cell)} re\n`;
  }
  fillPath(doc, path, x, y);
}

/** Draws in the bottom margin without pdfkit starting a new page. */
export function inBottomMargin(doc: Doc, draw: () => void): void {
  const bottom = doc.page.margins.bottom;
  doc.page.margins.bottom = 0;
  try {
    draw();
  } finally {
    doc.page.margins.bottom = bottom;
  }
}

/** Numbers a pack's pages ("Page 2 of 9") and puts the survey reference, as text and barcode, on each. */
export function stampPages(doc: Doc, firstPage: number, reference: string, scale: TypeScale): number {
  const { start, count } = doc.bufferedPageRange();
  const pages = start + count - firstPage;
  for (let i = 0; i < pages; i++) {
    doc.switchToPage(firstPage + i);
    inBottomMargin(doc, () => {
      const y = A4.height - MARGIN + 6;
      doc.font('body').fontSize(scale.small).fillColor('black');
      doc.text(`Ref ${reference}`, MARGIN, y, { lineBreak: false });
      const page = `Page ${i + 1} of ${pages}`;
      doc.text(page, (A4.width - doc.widthOfString(page)) / 2, y, { lineBreak: false });
      drawBarcode(doc, reference, A4.width - MARGIN - 130, y - 2, 16, 0.8);
    });
  }
  return pages;
}
