import type PDFDocument from 'pdfkit';
import { A4 } from './pdf-layout';

type Doc = InstanceType<typeof PDFDocument>;
type Ref = ReturnType<Doc['ref']>;
interface PageInternals { content: { buffer: Buffer[] }; fonts: Record<string, unknown>; xobjects: Record<string, unknown> }
const internals = (doc: Doc) => doc.page as unknown as PageInternals;

/**
 * Pages that are the same in every pack (the questionnaire) are laid out once per print file
 * and kept as PDF form XObjects; later packs place them with one operator per page. Laying
 * out 60 questions is most of a pack's cost, and the file holds the pages' content only once.
 */
export class PageForms {
  private readonly forms = new WeakMap<Doc, Map<string, { name: string; ref: Ref }[]>>();

  /** Draws the shared pages with `draw` the first time for this document and key, then reuses them. */
  place(doc: Doc, key: string, draw: () => void): void {
    const known = this.forms.get(doc)?.get(key);
    if (known) {
      for (const form of known) {
        doc.addPage();
        internals(doc).xobjects[form.name] = form.ref;
        doc.addContent(`/${form.name} Do`);
      }
      return;
    }
    const captured: { page: PageInternals; from: number }[] = [];
    const onPage = () => captured.push({ page: internals(doc), from: internals(doc).content.buffer.length });
    doc.on('pageAdded', onPage);
    try {
      draw();
    } finally {
      doc.off('pageAdded', onPage);
    }
    // Each page's content after pdfkit's own flip of the y axis, which the placing page repeats.
    const forms = captured.map(({ page, from }, i) => {
      const ref = doc.ref({
        Type: 'XObject', Subtype: 'Form', BBox: [0, 0, A4.width, A4.height],
        Resources: { Font: { ...page.fonts } },
      });
      for (const chunk of page.content.buffer.slice(from)) ref.write(chunk);
      (ref as unknown as { end(): void }).end();
      return { name: `Q${key.replace(/\W/g, '')}${i + 1}`, ref };
    });
    let byKey = this.forms.get(doc);
    if (!byKey) this.forms.set(doc, (byKey = new Map()));
    byKey.set(key, forms);
  }
}
