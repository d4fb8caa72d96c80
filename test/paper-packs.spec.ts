import { join } from 'node:path';
import { PrintBatchesService } from '../src/mailings/print-batches.service';
import { WavesService } from '../src/mailings/waves.service';
import { JobQueue } from '../src/infra/queues/job-queue';
import { stored, storedText } from './support/stored';
import { loadQuestionnaire } from '../src/questionnaires/load-questionnaire';
import { SampleImportService } from '../src/samples/sample-import.service';
import { startApp, TestApp } from './support/app';
import { lockedSurvey } from './support/mailing-survey';
import { PageGeometry, pdfGeometry, pdfPages, Rect, TextItem } from './support/pdf';
import { csvFile, patientRow } from './support/sample-files';

const MM = 72 / 25.4;
const BLANK = 'This page is intentionally blank';
/** Words only the questionnaire's first page carries (its title is in the letter too). */
const QUESTIONNAIRE_STARTS = 'This questionnaire asks about the care';
const questionnaire = loadQuestionnaire(join(__dirname, '../templates/questionnaires/cpes-2026.json'));
const rating = questionnaire.sections.flatMap((s) => s.questions).find((q) => q.type === 'rating')!;
const writeIns = questionnaire.sections.flatMap((s) => s.questions).filter((q) => q.type === 'text');

const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

// Ink extents of a text item: digits and capitals sit on the baseline; g, j, p, q, y and
// brackets reach below it. Generous above (ascenders), so a touch is never missed.
const inkBottom = (t: TextItem) => t.y - (/[gjpqy(),;]/.test(t.str) ? 0.24 : 0.02) * t.size;
const inkTop = (t: TextItem) => t.y + 0.76 * t.size;
const isTickBox = (r: Rect) => Math.abs(r.width - r.height) < 0.5 && r.width < 30;
const pageText = (p: PageGeometry) => p.items.map((i) => i.str).join(' ');
/** The footer every page carries: "Ref …" and "Page n of m" in the bottom margin. */
const isFooter = (t: TextItem) => t.y < 20 * MM;

/** Relative luminance (WCAG 2) of "#rrggbb". */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

describe('paper packs for elderly readers', () => {
  let t: TestApp;
  let refs: string[];

  beforeAll(async () => {
    t = await startApp();
    const patients = await lockedSurvey(t, [
      patientRow(1, { title: 'Mrs', first_name: 'Siobhán', surname: "O'Testing", postcode: 'BD1 1AA' }),
      patientRow(2, { postcode: 'HX1 2AB' }),
      patientRow(3, { postcode: 'LS2 9JT' }),
    ]);
    refs = patients.map((p) => p.reference);
  });
  afterAll(async () => {
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });

  const pack = async (ref: string, step: string, largePrint: boolean) => {
    const res = await t.http().get(`/api/patients/${ref}/pack/${step}${largePrint ? '?format=large-print' : ''}`)
      .set(t.auth).buffer(true).parse(binary).expect(200);
    return res.body as Buffer;
  };

  describe.each([['standard print', false], ['large print', true]])('in %s', (_, largePrint) => {
    let pages: PageGeometry[];
    beforeAll(async () => {
      pages = await pdfGeometry(await pack(refs[0], 'initial', largePrint));
    });

    it('prints each 0–10 rating label whole, centred over its own box and clear of it, with the end labels under 0 and 10', () => {
      const page = pages.find((p) => pageText(p).includes('Overall, how would you rate your care?'))!;
      expect(page).toBeDefined();
      const rows = new Map<number, Rect[]>();
      for (const r of page.rects.filter(isTickBox)) rows.set(Math.round(r.y), [...(rows.get(Math.round(r.y)) ?? []), r]);
      const boxes = [...rows.values()].find((row) => row.length === 11)!.sort((a, b) => a.x - b.x);
      expect(boxes).toHaveLength(rating.max! - rating.min! + 1);
      const top = boxes[0].y + boxes[0].height;
      const bottom = boxes[0].y;
      const span = { from: boxes[0].x - 20, to: boxes[10].x + boxes[10].width + 20 };
      const inSpan = (i: TextItem) => i.x + i.width > span.from && i.x < span.to;

      // Everything printed in the band just above the boxes: exactly the eleven numbers, each one item.
      const labels = page.items.filter((i) => inSpan(i) && i.y > bottom && i.y < top + 1.2 * i.size).sort((a, b) => a.x - b.x);
      expect(labels.map((l) => l.str)).toEqual(boxes.map((_, n) => String(rating.min! + n)));
      labels.forEach((label, n) => {
        const box = boxes[n];
        expect(Math.abs(label.x + label.width / 2 - (box.x + box.width / 2))).toBeLessThanOrEqual(1);
        expect(label.y - top).toBeGreaterThanOrEqual(2);
      });

      const below = page.items.filter((i) => inSpan(i) && inkTop(i) < bottom && inkTop(i) > bottom - 4 * i.size);
      const low = below.find((i) => i.str === rating.minLabel)!;
      const high = below.find((i) => i.str === rating.maxLabel)!;
      expect(low).toBeDefined();
      expect(high).toBeDefined();
      for (const [label, box] of [[low, boxes[0]], [high, boxes[10]]] as const) {
        expect(label.x).toBeLessThanOrEqual(box.x + box.width / 2);
        expect(label.x + label.width).toBeGreaterThanOrEqual(box.x + box.width / 2);
        expect(bottom - inkTop(label)).toBeGreaterThanOrEqual(2);
      }
    });

    it('keeps every piece of text clear of every tick box on every page', () => {
      const touching: string[] = [];
      pages.forEach((page, n) => {
        for (const box of page.rects.filter(isTickBox)) {
          for (const item of page.items) {
            const apart = item.x + item.width < box.x - 0.5 || item.x > box.x + box.width + 0.5
              || inkTop(item) < box.y - 0.5 || inkBottom(item) > box.y + box.height + 0.5;
            if (!apart) touching.push(`page ${n + 1}: "${item.str}"`);
          }
        }
      });
      expect(touching).toEqual([]);
    });

    it(`sets all the text a patient reads at ${largePrint ? 16 : 12} pt or more, and every hint in near-black`, () => {
      const least = largePrint ? 16 : 12;
      // The address block is sized for the envelope's window and Royal Mail's readers, not the patient.
      const inWindow = (i: TextItem, page: number) => page === 0 && i.x < 110 * MM && i.y > 841.89 - 85 * MM && i.y < 841.89 - 45 * MM;
      const small = pages.flatMap((p, n) => p.items.filter((i) => !inWindow(i, n) && i.size < least - 0.01)
        .map((i) => `page ${n + 1}: "${i.str}" at ${i.size.toFixed(1)} pt`));
      expect(small).toEqual([]);

      const hints = pages.flatMap((p) => p.runs).filter((r) => ['Tick one box', 'Tick all that apply', 'Please write in the box'].includes(r.text));
      expect(hints.length).toBeGreaterThan(0);
      const dark = luminance('#333333');
      // White is only ever printed on the blue section bands; everything else is near-black.
      const pale = pages.flatMap((p) => p.runs).filter((r) => r.fill !== '#ffffff' && luminance(r.fill) > dark);
      expect(pale.map((r) => `"${r.text}" in ${r.fill}`)).toEqual([]);
    });

    it('gives every write-in question a box at least 50 mm tall', () => {
      const questionnairePages = pages.filter((p) => !pageText(p).includes('Answer online'));
      const boxes = questionnairePages.flatMap((p) => p.rects.filter((r) => r.width > 100 * MM));
      expect(boxes).toHaveLength(writeIns.length);
      for (const box of boxes) expect(box.height).toBeGreaterThanOrEqual(50 * MM);
    });
  });

  it('makes every pack an even number of pages, each starting on the front of a sheet of its print file', async () => {
    await t.http().post(`/api/surveys/CPES-2026/patients/${refs[2]}/contacts`).set(t.auth)
      .send({ type: 'alternative_format', format: 'large_print' }).expect(201);
    const waves = t.app.get(WavesService);
    await waves.launch('CPES-2026', 'initial', 'test', { packsPerFile: 2 });
    await waves.launch('CPES-2026', 'reminder_1', 'test', { now: true });
    const printer = t.app.get(PrintBatchesService);
    const blankPages: Record<string, number[]> = {};
    let files = 0;
    for (const step of ['initial', 'reminder_1']) {
      for (const large of [false, true]) {
        const run = await printer.print('CPES-2026', step, large);
        for (const file of run.batches) {
          files++;
          const pages = await pdfPages(await stored(t.app, file.pdf));
          const rows = (await storedText(t.app, file.manifest)).trim().split('\r\n').slice(1).map((l) => l.split(','));
          expect(rows.reduce((n, r) => n + Number(r[4]), 0)).toBe(pages.length);
          let offset = 0;
          for (const [, reference, , , count] of rows) {
            const packPages = pages.slice(offset, offset + Number(count));
            expect(Number(count) % 2).toBe(0);
            expect(offset % 2).toBe(0); // the pack starts on page offset + 1 of the file: odd, the front of a sheet
            expect(packPages[0]).toContain(`Ref ${reference}`);
            expect(packPages[0]).toContain(`Page 1 of ${count}`);
            // The questionnaire starts on a sheet of its own, so the letter can be kept when it is posted back.
            const first = packPages.findIndex((p) => p.includes(QUESTIONNAIRE_STARTS));
            expect(first >= 0).toBe(step === 'initial');
            if (first >= 0) expect(first % 2).toBe(0);
            packPages.forEach((page, i) => {
              const body = page.replace(`Ref ${reference}`, '').replace(`Page ${i + 1} of ${count}`, '').trim();
              if (body === BLANK) (blankPages[`${step}${large ? ' large' : ''}`] ??= []).push(i + 1);
              else expect(body).not.toContain(BLANK);
            });
            offset += Number(count);
          }
        }
      }
    }
    expect(files).toBe(4);
    // Reminder 1 is a one-page letter: each gets a blank back.
    expect(blankPages.reminder_1).toEqual([2, 2]);
  });

  it("heads the letter with the trust's name, signs it with the survey's signatory and says where the privacy notice is", async () => {
    const signatory = { name: 'Dr Siobhán Ó Testáin', role: 'Director of Nursing and Patient Experience' };
    await t.http().post('/api/surveys').set(t.auth)
      .send({ code: 'CPES-LETTERS', periodStart: '2026-04-01', periodEnd: '2026-06-30', settings: { signatory } }).expect(201);
    const trustName = 'Testshire Teaching Hospitals NHS Foundation Trust';
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RYY', name: trustName }).expect(201);
    const path = csvFile('letters.csv', [patientRow(7, { trust_code: 'RYY', site_code: 'RYY01', title: 'Mr', surname: 'Letterman' })]);
    await t.app.get(SampleImportService).import({ surveyCode: 'CPES-LETTERS', trustCode: 'RYY', path, fileName: 'letters.csv', uploadedBy: 'test' });
    const [{ reference }] = await t.dataSource.query(`SELECT survey_reference AS reference FROM patients WHERE trust_code = 'RYY'`);

    for (const [step, largePrint] of [['initial', false], ['reminder_1', false], ['reminder_2', true]] as const) {
      const pages = await pdfGeometry(await pack(reference, step, largePrint));
      const letter = pages[0];
      const largest = Math.max(...letter.items.map((i) => i.size));
      const heading = letter.items.filter((i) => i.size === largest);
      expect(heading.map((i) => i.str).join(' ')).toBe(trustName);
      expect(Math.max(...letter.items.map((i) => i.y))).toBe(Math.max(...heading.map((i) => i.y)));

      const text = (await pdfPages(await pack(reference, step, largePrint))).join('\n');
      const letterText = text.split(QUESTIONNAIRE_STARTS)[0];
      for (const expected of [signatory.name, signatory.role, 'How we use your information', 'http://localhost:3000/privacy']) {
        expect(letterText).toContain(expected);
      }
      expect(letterText).not.toContain('Survey Manager');
    }
  });
});
