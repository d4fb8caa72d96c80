import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { CliModule } from '../src/cli/cli.module';
import { SampleFilesService } from '../src/samples/sample-files.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import { SurveysService } from '../src/surveys/surveys.service';
import { TrustsService } from '../src/trusts/trusts.service';
import { measure, withBenchDatabase } from './bench-database';
import { generateSampleFileInChild } from './generate-in-child';

/**
 * What the same file costs with no service around it: COPY into a plain table of text columns
 * (as psql's \copy would), as the database's owner, in the same run.
 */
async function copyBaseline(path: string): Promise<number> {
  const header = readFileSync(path, 'utf8').slice(0, 4096).replace(/^\uFEFF/, '').split(/\r?\n/)[0].split(',');
  const owner = new Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
  try {
    await owner.query(`CREATE TABLE bench_copy (${header.map((_, i) => `c${i} text`).join(', ')})`);
    const started = process.hrtime.bigint();
    await pipeline(createReadStream(path), owner.query(copyFrom('COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)')));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await owner.query('DROP TABLE bench_copy');
    return seconds;
  } finally {
    await owner.end();
  }
}

/**
 * What storing the accepted rows costs with nothing of the service around it: one INSERT ...
 * SELECT of the imported patients into an empty copy of `patients` with the same indexes, as
 * the database's owner. Not the issue's baseline (that is COPY), but the floor under any
 * import that keeps those indexes, shown so the figure can be read.
 */
async function indexedInsertFloor(fileId: string): Promise<number> {
  const owner = new Client({ connectionString: process.env.DATABASE_URL });
  await owner.connect();
  try {
    await owner.query('CREATE TABLE bench_floor (LIKE patients INCLUDING ALL)');
    const started = process.hrtime.bigint();
    await owner.query('INSERT INTO bench_floor OVERRIDING SYSTEM VALUE SELECT * FROM patients WHERE sample_file_id = $1', [fileId]);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await owner.query('DROP TABLE bench_floor');
    return seconds;
  } finally {
    await owner.end();
  }
}

/**
 * Sample intake: synthetic files of 100,000 and 500,000 rows (a whole national sample and
 * more, sent by one trust so every row lands in one import) with a realistic mix of
 * rejections, exclusions and duplicates. For each: rows/s end to end (read, validate, stage,
 * exclude, de-duplicate, store), the process's peak RSS (sampled every 20 ms), and the bare
 * baseline measured in the same run, COPY of the same file into a plain table, as a ratio.
 * Peak RSS at both sizes shows whether memory stays flat. BENCH_ROWS=150000,300000 picks sizes.
 * Targets: ratio ≥ 0.5, peak RSS < 250 MiB at any size.
 */
export async function benchSampleImport(sizes = (process.env.BENCH_ROWS || '100000,500000').split(',').map(Number)): Promise<void> {
  const peaks: string[] = [];
  for (const rows of sizes) {
    const { peak, before } = await benchOneFile(rows);
    peaks.push(`${rows.toLocaleString('en-GB')} rows: ${peak} MiB (+${peak - before} during the import)`);
  }
  // Each size runs in this same process, so a later size starts from what the earlier left behind.
  console.log(`  peak RSS by file size (flat when the import keeps no per-row state): ${peaks.join(', ')}`);
}

async function benchOneFile(rows: number): Promise<{ peak: number; before: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-'));
  try {
    const path = join(dir, 'national.csv');
    const planted = await generateSampleFileInChild(path, { trustCode: 'RXX', rows, seed: 11 });
    return await withBenchDatabase(async (url) => {
      process.env.DATABASE_URL = url;
      // A file past the default limit (250,000 rows) is the point here.
      process.env.SAMPLE_MAX_ROWS = String(Math.max(rows, 250_000));
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
        const copy = await copyBaseline(path);
        const floor = await indexedInsertFloor(fileId);
        console.log([
          `sample import: ${rows.toLocaleString('en-GB')} rows (${(statSync(path).size / 1e6).toFixed(1)} MB CSV)`,
          `  ${seconds.toFixed(2)} s  →  ${Math.round(rows / seconds).toLocaleString('en-GB')} rows/s`,
          `  bare baseline in the same run: COPY of the same file into a plain table ${copy.toFixed(2)} s → `
            + `${Math.round(rows / copy).toLocaleString('en-GB')} rows/s; ratio ${(copy / seconds).toFixed(2)}   (target ratio ≥ 0.5)`,
          `  floor under it: the ${report.sampled.toLocaleString('en-GB')} accepted rows inserted into an empty copy of patients with its indexes, in SQL alone, `
            + `${floor.toFixed(2)} s (ratio to COPY ${(copy / floor).toFixed(2)}); the import's other work ${(seconds - floor).toFixed(2)} s`,
          `  peak RSS ${peakRssMb} MiB   (target < 250 at any size; ${rssBeforeMb} MiB before the import began)`,
          `  sampled ${report.sampled}, rejected ${report.rowsRejected}, excluded ${JSON.stringify(report.excluded)}`,
          `  counts match the generator's plan: ${ok ? 'yes' : 'NO'}`,
        ].join('\n'));
        if (!ok) process.exitCode = 1;
        return { peak: peakRssMb, before: rssBeforeMb };
      } finally {
        await app.close();
        delete process.env.SAMPLE_MAX_ROWS;
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
