import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CliModule } from '../src/cli/cli.module';
import { CONSOLE, LocalReportsService } from '../src/local-reports/local-reports.service';
import { ReportRunsService } from '../src/local-reports/report-runs.service';
import { newDocument, rangeChart, toBuffer } from '../src/local-reports/pdf-drawing';
import { SurveysService } from '../src/surveys/surveys.service';
import { vacuumAnalyzeAsOwner, measure, withBenchDatabase } from './bench-database';
import { seedResultsSurvey } from './results.bench';

const WORKERS = 2;

/**
 * Every local report of a national survey (65,000 respondents, 130 trusts, 42 ICBs, 21 Cancer
 * Alliances and the national report) as PDF, rendered by two worker processes (target under
 * 2 minutes), and one trust's PDF once the survey's figures are computed (target under 1 s).
 * Each figure is printed beside a bare baseline measured in the same run: plain pdfkit with
 * the same embedded font writing the same number of pages, each with as many lines of text
 * and charts as a report page, without the service.
 */
export async function benchLocalReports(respondents = Number(process.env.BENCH_RESULTS_RESPONDENTS || 65_000)): Promise<void> {
  const storage = mkdtempSync(join(tmpdir(), 'fieldwork-bench-reports-'));
  process.env.STORAGE_DIR = storage;
  const workers: ChildProcess[] = [];
  try {
    await withBenchDatabase(async () => {
      const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
      try {
        const db = app.get(DataSource);
        await app.get(SurveysService).create({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' });
        const [{ id: survey }] = await db.query(`SELECT id FROM surveys WHERE code = 'CPES-2026'`);
        await seedResultsSurvey(db, survey, respondents);
        // 21 Cancer Alliances (the results seed spreads patients over 9).
        await db.query(`UPDATE patients SET cancer_alliance_code = 'E56' || lpad((id % 21)::text, 6, '0') WHERE survey_id = $1`, [survey]);
        await vacuumAnalyzeAsOwner();

        const reports = app.get(LocalReportsService);
        const warm = await measure(() => reports.report('CPES-2026', { level: 'trust', code: 'R001' }, CONSOLE));
        const times: number[] = [];
        let pages = 0;
        for (let i = 0; i < 5; i++) {
          const one = await measure(async () => reports.render(await reports.report('CPES-2026', { level: 'trust', code: 'R001' }, CONSOLE), 'pdf'));
          times.push(one.seconds);
          pages = pdfPageCount(one.result);
        }
        times.sort((a, b) => a - b);
        const bareOne = await measure(() => barePdf(pages));
        console.log(`local reports: ${respondents.toLocaleString('en-GB')} respondents (survey figures computed once per process: ${warm.seconds.toFixed(1)} s)`);
        console.log(`  one trust's PDF (${pages} pages), figures computed   median ${(times[2] * 1000).toFixed(0).padStart(5)} ms   `
          + `(target under 1 s; bare pdfkit, same pages: ${(bareOne.seconds * 1000).toFixed(0)} ms, ratio ${(times[2] / bareOne.seconds).toFixed(1)})`);

        for (let i = 0; i < WORKERS; i++) {
          workers.push(spawn(process.execPath, [join(__dirname, '..', 'src', 'worker.js')], { env: process.env, stdio: 'ignore' }));
        }
        const runs = app.get(ReportRunsService);
        const until = Date.now() + 60_000;
        while ((await runs.workersListening()) < WORKERS) {
          if (Date.now() > until) throw new Error('the bench workers did not start');
          await new Promise((r) => setTimeout(r, 200));
        }
        const all = await measure(async () => {
          let progress = await runs.start('CPES-2026', 'pdf', 'bench');
          while (progress.done + progress.failed < progress.total) {
            await new Promise((r) => setTimeout(r, 250));
            progress = await runs.progress(progress.runId);
          }
          return progress;
        });
        if (all.result.failed) throw new Error(`${all.result.failed} reports failed`);
        const bareAll = await measure(() => barePdf(pages * all.result.total, all.result.total));
        const ideal = bareAll.seconds / WORKERS;
        console.log(`  all ${all.result.total} reports as PDF, ${WORKERS} workers (cold)       ${all.seconds.toFixed(1).padStart(6)} s   `
          + `(target under 120 s; bare pdfkit for the same ${(pages * all.result.total).toLocaleString('en-GB')} pages split over ${WORKERS} processes: ${ideal.toFixed(1)} s, ratio ${(all.seconds / ideal).toFixed(1)})`);
      } finally {
        await app.close();
      }
    });
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    rmSync(storage, { recursive: true, force: true });
  }
}

/** Pages of a pdfkit file: its page objects ("/Type /Page", not "/Pages"), whose dictionaries are not compressed. */
function pdfPageCount(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
}

/** Plain pdfkit: `pages` pages of 55 short lines and 8 range charts each, in documents of `perDocument` pages or one. */
async function barePdf(pages: number, documents = 1): Promise<void> {
  const perDocument = Math.ceil(pages / documents);
  for (let done = 0; done < pages; done += perDocument) {
    const doc = newDocument('baseline');
    for (let p = 0; p < Math.min(perDocument, pages - done); p++) {
      if (p) doc.addPage();
      doc.font('body').fontSize(8);
      for (let l = 0; l < 55; l++) doc.text(`Line ${l} of page ${p}: 71.4 · base 21`, 40, 40 + l * 13, { lineBreak: false });
      for (let c = 0; c < 8; c++) rangeChart(doc, 380, 40 + c * 90, 170, { dot: 60 + c, national: 61, range95: [40, 80], range998: [30, 90], flag: 'within' });
    }
    await toBuffer(doc);
  }
}
