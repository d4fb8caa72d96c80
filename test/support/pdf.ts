import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Runs one of the pdf.js readers in a child process (pdf.js loads its worker with a dynamic import). */
function readPdf<T>(script: string, pdf: Buffer): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, script)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${script} failed: ${err}`))));
    child.stdin.end(pdf);
  });
}

/** Reads a PDF back as a reader would: its text, page by page (pdf.js, in a child process). */
export function pdfPages(pdf: Buffer): Promise<string[]> {
  return readPdf('pdf-text.cjs', pdf);
}

/** A text-layer item: its baseline origin (points, y upwards from the page's foot), width and font size. */
export interface TextItem { str: string; x: number; y: number; width: number; size: number }
export interface Rect { x: number; y: number; width: number; height: number }
export interface PageGeometry {
  items: TextItem[];
  /** Every stroked rectangle (tick boxes, write-in boxes, the letter's online box). */
  rects: Rect[];
  /** Each run of shown text with the colour it is filled in, e.g. "#000000". */
  runs: { text: string; fill: string }[];
}

/** Where the text and boxes of each page are, as pdf.js reads them (see pdf-geometry.cjs). */
export function pdfGeometry(pdf: Buffer): Promise<PageGeometry[]> {
  return readPdf('pdf-geometry.cjs', pdf);
}
