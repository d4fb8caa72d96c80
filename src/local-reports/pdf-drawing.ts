import PDFDocument from 'pdfkit';
import { useFonts } from '../questionnaires/pdf-layout';

export type Doc = InstanceType<typeof PDFDocument>;

export const PAGE = { width: 595.28, height: 841.89, margin: 40 } as const;
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
/** Where the footer goes; content stops above it. */
const BOTTOM = PAGE.height - PAGE.margin - 14;

export const COLOUR = { text: '#212b32', muted: '#4c6272', rule: '#aeb7bd', outer: '#9fc3e7', inner: '#005eb8', above: '#007f3b', below: '#d5281b', band: '#f0f4f5' } as const;

/** A report document: A4, the packs' embedded DejaVu fonts ("body", "bold"), pages buffered for numbering. */
export function newDocument(title: string): Doc {
  const doc = new PDFDocument({ size: 'A4', margin: PAGE.margin, bufferPages: true, autoFirstPage: true, info: { Title: title, Author: 'CPES Fieldwork' } });
  useFonts(doc);
  doc.fillColor(COLOUR.text);
  return doc;
}

/** Starts a new page unless `height` more points fit on this one. */
export function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > BOTTOM) {
    doc.addPage();
    doc.y = PAGE.margin;
  }
}

export function heading(doc: Doc, text: string, size = 16): void {
  ensureRoom(doc, size * 3);
  doc.moveDown(0.6).font('bold').fontSize(size).fillColor(COLOUR.text).text(text, PAGE.margin, doc.y, { width: CONTENT_WIDTH });
  doc.moveDown(0.3).font('body').fontSize(9);
}

export function paragraph(doc: Doc, text: string, size = 9): void {
  doc.font('body').fontSize(size).fillColor(COLOUR.text);
  ensureRoom(doc, doc.heightOfString(text, { width: CONTENT_WIDTH }) + 4);
  doc.text(text, PAGE.margin, doc.y, { width: CONTENT_WIDTH });
  doc.moveDown(0.3);
}

export interface Column { title: string; width: number; align?: 'left' | 'right' }

/**
 * One line of cells, each cut to its column (no wrapping: tables stay on a fixed grid). Cells
 * are placed by hand rather than through pdfkit's width/align options: its line wrapper costs
 * more than the drawing, and a trust's report has some two thousand table lines.
 */
export function tableRow(doc: Doc, columns: Column[], cells: string[], options: { bold?: boolean; shade?: boolean; size?: number } = {}): void {
  const size = options.size ?? 8;
  const height = size + 5;
  ensureRoom(doc, height);
  const y = doc.y;
  if (options.shade) doc.rect(PAGE.margin, y - 1, CONTENT_WIDTH, height).fill(COLOUR.band);
  doc.font(options.bold ? 'bold' : 'body').fontSize(size).fillColor(COLOUR.text);
  let x = PAGE.margin;
  columns.forEach((c, i) => {
    const room = c.width - 4;
    let text = cells[i] ?? '';
    // No glyph of DejaVu Sans is wider than 1.1 em: a left-aligned cell shorter than that needs no measuring.
    const surelyFits = c.align !== 'right' && text.length * size * 1.1 <= room;
    let width = surelyFits || !text ? 0 : widthOf(doc, text, size, options.bold);
    if (width > room) {
      while (text.length > 1 && widthOf(doc, `${text}…`, size, options.bold) > room) text = text.slice(0, -1);
      text += '…';
      width = widthOf(doc, text, size, options.bold);
    }
    if (text) doc.text(text, c.align === 'right' ? x + 2 + room - width : x + 2, y + 1, { lineBreak: false });
    x += c.width;
  });
  doc.x = PAGE.margin;
  doc.y = y + height;
}

const widths = new Map<string, number>();
/** Widths of table text, remembered per process: the same figures and labels recur thousands of times. */
function widthOf(doc: Doc, text: string, size: number, bold = false): number {
  const key = `${bold ? 'b' : 'r'}${size}|${text}`;
  let width = widths.get(key);
  if (width === undefined) {
    width = doc.widthOfString(text);
    if (widths.size > 50_000) widths.clear();
    widths.set(key, width);
  }
  return width;
}

export function tableHeader(doc: Doc, columns: Column[]): void {
  ensureRoom(doc, 40);
  tableRow(doc, columns, columns.map((c) => c.title), { bold: true });
  doc.moveTo(PAGE.margin, doc.y - 1).lineTo(PAGE.margin + CONTENT_WIDTH, doc.y - 1).lineWidth(0.5).strokeColor(COLOUR.rule).stroke();
}

/**
 * A score on a 0–100 scale: the expected range (99.8% outer, 95% inner) as bars when given, the
 * national score as a dashed line, the score as a dot (green above the range, red below).
 */
export function rangeChart(doc: Doc, x: number, y: number, width: number, figures: {
  dot: number; national: number | null; range95?: [number, number] | null; range998?: [number, number] | null; flag?: 'above' | 'within' | 'below' | null;
}): void {
  const at = (v: number) => x + (Math.min(100, Math.max(0, v)) / 100) * width;
  const barY = y + 4, barH = 10;
  doc.save();
  doc.moveTo(x, barY + barH + 5).lineTo(x + width, barY + barH + 5).lineWidth(0.5).strokeColor(COLOUR.rule).stroke();
  for (const v of [0, 50, 100]) {
    doc.moveTo(at(v), barY + barH + 3).lineTo(at(v), barY + barH + 7).lineWidth(0.5).strokeColor(COLOUR.muted).stroke();
  }
  if (figures.range998) doc.rect(at(figures.range998[0]), barY, at(figures.range998[1]) - at(figures.range998[0]), barH).fill(COLOUR.outer);
  if (figures.range95) doc.rect(at(figures.range95[0]), barY, at(figures.range95[1]) - at(figures.range95[0]), barH).fill(COLOUR.inner);
  if (figures.national !== null) {
    doc.moveTo(at(figures.national), barY - 3).lineTo(at(figures.national), barY + barH + 3).lineWidth(1).dash(2, { space: 1.5 }).strokeColor(COLOUR.text).stroke().undash();
  }
  const fill = figures.flag === 'above' ? COLOUR.above : figures.flag === 'below' ? COLOUR.below : COLOUR.text;
  doc.circle(at(figures.dot), barY + barH / 2, 3.5).lineWidth(1).fillAndStroke(fill, '#ffffff');
  doc.restore();
}

/** A trend arrow: up, down or level; filled when the change is significant, outlined when not. */
export function trendArrow(doc: Doc, x: number, y: number, change: number, significant: boolean): void {
  const s = 5;
  doc.save().lineWidth(0.8);
  if (change > 0) doc.polygon([x, y + s], [x + s, y - s], [x + 2 * s, y + s]);
  else if (change < 0) doc.polygon([x, y - s], [x + s, y + s], [x + 2 * s, y - s]);
  else doc.polygon([x, y - s], [x + 2 * s, y], [x, y + s]);
  const colour = !significant ? COLOUR.muted : change > 0 ? COLOUR.above : COLOUR.below;
  if (significant) doc.fillAndStroke(colour, colour); else doc.strokeColor(colour).stroke();
  doc.restore();
}

/** "Page n of N" at the foot of every page (pages are buffered until the end). */
export function numberPages(doc: Doc, label: string): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the margin must not start a new page
    doc.font('body').fontSize(8).fillColor(COLOUR.muted)
      .text(`${label} · Page ${i + 1} of ${count}`, PAGE.margin, PAGE.height - PAGE.margin + 4, { width: CONTENT_WIDTH, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

export function toBuffer(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
