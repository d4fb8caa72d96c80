import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { relative } from 'node:path';
import { DataSource } from 'typeorm';
import { csvLines } from '../infra/csv';
import { DomainError } from '../infra/errors/domain-error';
import { StorageService } from '../infra/storage/storage.service';
import { newPackDocument } from '../questionnaires/pack-renderer';
import { assertStep, PACK_PATIENT_SQL, PackRow, PacksService } from '../questionnaires/packs.service';
import { SurveysService } from '../surveys/surveys.service';

/** Royal Mail sortation discounts want mail in postcode order; printers want bounded files. */
export const PACKS_PER_PRINT_FILE = 2000;

export interface PrintBatchSummary {
  batch: number;
  pdf: string;
  manifest: string;
  packs: number;
  pages: number;
}

export interface PrintRunSummary {
  survey: string;
  step: string;
  largePrint: boolean;
  runId: string;
  packs: number;
  pages: number;
  batches: PrintBatchSummary[];
}

/**
 * Writes a step's packs into print files of at most 2,000 packs, in postcode order, each with
 * a manifest CSV (sequence, survey reference, trust, postcode, page count) that matches the
 * file pack for pack. Patients on the survey's deceased list are left out.
 */
@Injectable()
export class PrintBatchesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly packs: PacksService,
    private readonly storage: StorageService,
  ) {}

  async print(surveyCode: string, stepName: string, largePrint = false, packsPerFile = PACKS_PER_PRINT_FILE): Promise<PrintRunSummary> {
    const step = assertStep(stepName);
    const survey = await this.surveys.get(surveyCode);
    if (!survey.sampleLockedAt) {
      throw new DomainError('invalid_state', `The sample for ${surveyCode} is not locked yet: lock it (sample:lock) before printing`);
    }
    const renderer = this.packs.rendererFor(survey);
    const runId = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${step}${largePrint ? '-large-print' : ''}`;
    const run: PrintRunSummary = { survey: survey.code, step, largePrint, runId, packs: 0, pages: 0, batches: [] };
    let after: { postcode: string; reference: string } | null = null;
    const perFile = Math.min(packsPerFile, PACKS_PER_PRINT_FILE);

    for (let batch = 1; ; batch++) {
      const rows: PackRow[] = await this.dataSource.query(
        `${PACK_PATIENT_SQL}
         WHERE p.survey_id = $1
           AND NOT EXISTS (SELECT 1 FROM survey_deaths d WHERE d.survey_id = p.survey_id AND d.nhs_number = p.nhs_number)
           AND ($2::text IS NULL OR (p.postcode, p.survey_reference) > ($2::text COLLATE "C", $3::text))
         ORDER BY p.postcode COLLATE "C", p.survey_reference
         LIMIT ${perFile}`,
        [survey.id, after?.postcode ?? null, after?.reference ?? null]);
      if (!rows.length) break;
      after = { postcode: rows[rows.length - 1].postcode, reference: rows[rows.length - 1].reference };

      const name = `batch-${String(batch).padStart(3, '0')}`;
      const pdfPath = await this.storage.path('print', survey.code, runId, `${name}.pdf`);
      const manifestPath = await this.storage.path('print', survey.code, runId, `${name}-manifest.csv`);
      const doc = newPackDocument(`${survey.code} ${step} ${name}`);
      const out = doc.pipe(createWriteStream(pdfPath));
      const manifest: (string | number)[][] = [['sequence', 'survey_reference', 'trust', 'postcode', 'page_count']];
      let pages = 0;
      for (const [i, row] of rows.entries()) {
        const packPages = renderer.render(doc, row, step, largePrint);
        pages += packPages;
        manifest.push([i + 1, row.reference, row.trustCode, row.postcode, packPages]);
        // pdfkit pushes output without back-pressure: let the file catch up, or the whole print
        // file would wait in memory until the last pack.
        while (doc.readableLength > 4 * 1024 * 1024) await new Promise((r) => setImmediate(r));
        if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      }
      doc.end();
      await once(out, 'finish');
      await writeFile(manifestPath, csvLines(manifest));

      const summary = { batch, pdf: relative(this.storage.root, pdfPath), manifest: relative(this.storage.root, manifestPath), packs: rows.length, pages };
      await this.dataSource.query(
        `INSERT INTO print_batches (survey_id, step, large_print, run_id, batch_number, pdf_path, manifest_path, packs, pages)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [survey.id, step, largePrint, runId, batch, summary.pdf, summary.manifest, summary.packs, pages]);
      run.batches.push(summary);
      run.packs += rows.length;
      run.pages += pages;
      if (rows.length < perFile) break;
    }
    return run;
  }
}
