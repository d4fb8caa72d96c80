import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { csvLines } from '../infra/csv';
import type { MailingStep } from '../questionnaires/letter-template';
import { newPackDocument, PackRenderer } from '../questionnaires/pack-renderer';
import type { PackRow } from '../questionnaires/packs.service';

/** The print run a launch plans for a step: its files are batch 1, 2, … of this run. */
export const printRunId = (surveyCode: string, step: MailingStep) => `${surveyCode}-${step}`;

/** Printers want bounded files; memory grows ~23 KB a page while one is written. */
export const PACKS_PER_PRINT_FILE = 2000;

/**
 * Writes packs, in the order given (each with the patient's own questionnaire), into one PDF with a manifest CSV (sequence, survey
 * reference, trust, postcode, page count) that matches it pack for pack. Returns the pages.
 */
export async function writePrintFile(
  rendererOf: (row: PackRow) => PackRenderer, rows: PackRow[], step: MailingStep, largePrint: boolean,
  files: { pdf: string; manifest: string; title: string },
): Promise<number> {
  const doc = newPackDocument(files.title);
  const out = doc.pipe(createWriteStream(files.pdf));
  const manifest: (string | number)[][] = [['sequence', 'survey_reference', 'trust', 'postcode', 'page_count']];
  let pages = 0;
  for (const [i, row] of rows.entries()) {
    const packPages = rendererOf(row).render(doc, row, step, largePrint);
    pages += packPages;
    manifest.push([i + 1, row.reference, row.trustCode, row.postcode, packPages]);
    // pdfkit pushes output without back-pressure: let the file catch up, or the whole print
    // file would wait in memory until the last pack. Yielding also lets the job's lock renew.
    while (doc.readableLength > 4 * 1024 * 1024) await new Promise((r) => setImmediate(r));
    if (i % 10 === 9) await new Promise((r) => setImmediate(r));
  }
  doc.end();
  await once(out, 'finish');
  await writeFile(files.manifest, csvLines(manifest));
  return pages;
}
