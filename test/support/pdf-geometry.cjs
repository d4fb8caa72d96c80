// Prints where things are on each page of a PDF, as JSON: the text layer's items (string, baseline
// origin, width, font size, all in points with y upwards from the page's bottom), every stroked
// rectangle, and each run of shown text with the colour it is filled in. Run as its own Node
// process for the same reason as pdf-text.cjs. Uses the pdf.js that pdf-parse bundles.
const { dirname } = require('node:path');
const { PDFParse } = require('pdf-parse');

const pdfjsPath = require.resolve('pdfjs-dist/legacy/build/pdf.mjs', { paths: [dirname(require.resolve('pdf-parse'))] });

const multiply = (m, n) => [
  m[0] * n[0] + m[2] * n[1], m[1] * n[0] + m[3] * n[1],
  m[0] * n[2] + m[2] * n[3], m[1] * n[2] + m[3] * n[3],
  m[0] * n[4] + m[2] * n[5] + m[4], m[1] * n[4] + m[3] * n[5] + m[5],
];
const apply = (m, x, y) => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

/** Stroked rectangles and coloured text runs from the page's operator list, through forms and transforms. */
function drawing(OPS, ops) {
  const rects = [];
  const runs = [];
  let ctm = [1, 0, 0, 1, 0, 0];
  let fill = '#000000';
  const stack = [];
  const colour = (args) => (typeof args[0] === 'string' ? args[0]
    : `#${args.slice(0, 3).map((v) => Math.round(v <= 1 ? v * 255 : v).toString(16).padStart(2, '0')).join('')}`);
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i];
    if (fn === OPS.save) stack.push({ ctm, fill });
    else if (fn === OPS.restore) ({ ctm, fill } = stack.pop() ?? { ctm, fill });
    else if (fn === OPS.transform) ctm = multiply(ctm, args);
    else if (fn === OPS.paintFormXObjectBegin) {
      stack.push({ ctm, fill });
      if (args[0]) ctm = multiply(ctm, args[0]);
    } else if (fn === OPS.paintFormXObjectEnd) ({ ctm, fill } = stack.pop() ?? { ctm, fill });
    else if (fn === OPS.setFillRGBColor) fill = colour(args);
    else if (fn === OPS.setFillGray) fill = colour([args[0], args[0], args[0]]);
    else if (fn === OPS.showText) {
      const text = args[0].map((g) => (typeof g === 'object' && g ? g.unicode : '')).join('');
      if (text.trim()) runs.push({ text, fill });
    } else if (fn === OPS.constructPath && [OPS.stroke, OPS.closeStroke].includes(args[0])) {
      const box = args[2];
      const [x1, y1] = apply(ctm, box[0], box[1]);
      const [x2, y2] = apply(ctm, box[2], box[3]);
      rects.push({ x: Math.min(x1, x2), y: Math.min(y1, y2), width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) });
    }
  }
  return { rects, runs };
}

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const { OPS } = await import(pdfjsPath);
  const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
  try {
    const doc = await parser.load();
    const pages = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const items = content.items.filter((it) => 'str' in it && it.str.trim()).map((it) => ({
        str: it.str, x: it.transform[4], y: it.transform[5], width: it.width,
        size: Math.hypot(it.transform[2], it.transform[3]),
      }));
      pages.push({ items, ...drawing(OPS, await page.getOperatorList()) });
      page.cleanup();
    }
    process.stdout.write(JSON.stringify(pages));
  } finally {
    await parser.destroy();
  }
});
