import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CliModule } from '../src/cli/cli.module';
import { SampleFilesService } from '../src/samples/sample-files.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import { SurveysService } from '../src/surveys/surveys.service';
import { TrustsService } from '../src/trusts/trusts.service';
import { measure, withBenchDatabase } from './bench-database';
import { generateSampleFileInChild } from './generate-in-child';

/**
 * Sample intake: a synthetic 150,000-row file (the size of a whole national sample, sent by
 * one trust so every row lands in one import) with a realistic mix of rejections, exclusions
 * and duplicates. Prints rows/s end to end (read, validate, stage, exclude, de-duplicate,
 * store) and the process's peak RSS. Targets: ≥ 60,000 rows/s, < 300 MB.
 */
export async function benchSampleImport(rows = Number(process.env.BENCH_ROWS || 150_000)): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-'));
  try {
    const path = join(dir, 'national.csv');
    const planted = await generateSampleFileInChild(path, { trustCode: 'RXX', rows, seed: 11 });
    await withBenchDatabase(async (url) => {
      process.env.DATABASE_URL = url;
      const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
      try {
        await app.get(SurveysService).create({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' });
        const survey = await app.get(TrustsService).add({ code: 'RXX', name: 'Benchmark NHS Trust' })
          .then(() => app.get(SurveysService).get('CPES-2026'));
        // The generator's deceased patients go on the survey's deceased list, as a trace would put them.
        await app.get(DataSource).query(
          `INSERT INTO survey_deaths (survey_id, nhs_number, source) SELECT $1, unnest($2::text[]), 'bench'`,
          [survey.id, planted.deceased]);
        const rssBeforeMb = Math.round(process.memoryUsage().rss / 1024 / 1024);
        const { result: fileId, seconds, peakRssMb } = await measure(() => app.get(SampleImportService).import({
          surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'national.csv', uploadedBy: 'bench',
        }));
        const report = await app.get(SampleFilesService).report(fileId);
        const ok = report.sampled === planted.planted.sampled && report.rowsRejected === planted.planted.rejected
          && JSON.stringify(Object.entries(report.excluded).sort()) === JSON.stringify(Object.entries(planted.planted.excluded).sort());
        console.log([
          `sample import: ${rows.toLocaleString('en-GB')} rows (${(statSync(path).size / 1e6).toFixed(1)} MB CSV)`,
          `  ${seconds.toFixed(2)} s  →  ${Math.round(rows / seconds).toLocaleString('en-GB')} rows/s   (target ≥ 60,000)`,
          `  peak RSS ${peakRssMb} MB   (target < 300; ${rssBeforeMb} MB before the import began)`,
          `  sampled ${report.sampled}, rejected ${report.rowsRejected}, excluded ${JSON.stringify(report.excluded)}`,
          `  counts match the generator's plan: ${ok ? 'yes' : 'NO'}`,
        ].join('\n'));
        if (!ok) process.exitCode = 1;
      } finally {
        await app.close();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
