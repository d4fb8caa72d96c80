import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliModule } from '../src/cli/cli.module';
import { PrintBatchesService } from '../src/mailings/print-batches.service';
import { PacksService } from '../src/questionnaires/packs.service';
import { DataSource } from 'typeorm';
import { measure, withBenchDatabase } from './bench-database';
import { lockedBenchSurvey } from './bench-survey';
import { JobQueue } from '../src/infra/queues/job-queue';
import { WavesService } from '../src/mailings/waves.service';

/**
 * Questionnaire packs: about 5,000 synthetic patients rendered into print files (initial
 * mailing: cover letter + 60-question questionnaire, ~11 pages each). Prints packs/s, peak
 * RSS, and the latency of one pack for a reprint. Target: ≥ 45 packs/s per worker process.
 */
export async function benchPacks(packs = Number(process.env.BENCH_PACKS || 5000)): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-'));
  try {
    await withBenchDatabase(async (url) => {
      process.env.DATABASE_URL = url;
      process.env.STORAGE_DIR = join(dir, 'storage');
      const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
      try {
        await lockedBenchSurvey(app, dir, packs);
        // Planned at launch; the jobs it queues are dropped so this process writes every file itself.
        await app.get(WavesService).launch('CPES-2026', 'initial', 'bench');
        for (const q of app.get(JobQueue).allQueues()) await q.obliterate({ force: true });

        const pack = app.get(PacksService);
        const [{ ref }] = await app.get(DataSource).query('SELECT survey_reference AS ref FROM patients LIMIT 1');
        await pack.patientPack(ref, 'initial'); // warm: templates and fonts load once per process
        const times: number[] = [];
        for (let i = 0; i < 20; i++) {
          const started = process.hrtime.bigint();
          await pack.patientPack(ref, 'initial');
          times.push(Number(process.hrtime.bigint() - started) / 1e6);
        }
        times.sort((a, b) => a - b);

        const { result: run, seconds, peakRssMb } = await measure(() => app.get(PrintBatchesService).print('CPES-2026', 'initial'));
        console.log([
          `packs: ${run.packs.toLocaleString('en-GB')} initial packs, ${run.pages.toLocaleString('en-GB')} pages in ${run.batches.length} print files`,
          `  ${seconds.toFixed(1)} s  →  ${(run.packs / seconds).toFixed(1)} packs/s   (target ≥ 45 per worker process)`,
          `  peak RSS ${peakRssMb} MB (files of ≤ 2,000 packs)`,
          `  one pack for a reprint: median ${times[10].toFixed(0)} ms, slowest ${times[19].toFixed(0)} ms`,
        ].join('\n'));
      } finally {
        await app.close();
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
