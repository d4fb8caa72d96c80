import bwipjs from 'bwip-js';
import * as fontkit from 'fontkit';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import QRCode from 'qrcode';

/**
 * The built-in PDF fonts are WinAnsi only and garble names such as Łukasz or Nguyễn, so every
 * personalised field uses embedded DejaVu Sans. Each font is parsed once per process: parsing
 * per document costs 2–3× the rendering time.
 */
const fontDir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
let fonts: { regular: unknown; bold: unknown } | undefined;
export function dejaVu(): { regular: unknown; bold: unknown } {
  fonts ??= {
    regular: fontkit.create(readFileSync(join(fontDir, 'DejaVuSans.ttf'))),
    bold: fontkit.create(readFileSync(join(fontDir, 'DejaVuSans-Bold.ttf'))),
  };
  return fonts;
}

/** Code 128 as alternating bar/space widths in modules, drawn as vector rectangles. */
let lastBarcode: { text: string; sbs: number[] } | undefined;
export function code128(text: string): number[] {
  // A pack prints its reference on every page: encode it once, not once a page.
  if (lastBarcode?.text !== text) {
    const [symbol] = (bwipjs as unknown as { raw(o: object): { sbs: number[] }[] }).raw({ bcid: 'code128', text });
    lastBarcode = { text, sbs: symbol.sbs };
  }
  return lastBarcode.sbs;
}

/** A QR code's dark modules, row by row, for drawing as rectangles (crisper and faster than an image). */
export function qrModules(text: string): { size: number; dark: (row: number, col: number) => boolean } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: (row, col) => Boolean(modules.get(row, col)) };
}
