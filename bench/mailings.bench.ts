import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CliModule } from '../src/cli/cli.module';
import { JobQueue } from '../src/infra/queues/job-queue';
import { WavesService } from '../src/mailings/waves.service';
import { WorkerModule } from '../src/worker.module';
import { measure, withBenchDatabase } from './bench-database';
import { lockedBenchSurvey } from './bench-survey';
import { smtpSink } from './smtp-sink';

async function untilDone(db: DataSource, channel: 'email' | 'postal', timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [{ waiting }] = await db.query(
      `SELECT count(*)::int AS waiting FROM mailings WHERE channel = $1 AND status IN ('pending', 'sending')`, [channel]);
    if (!waiting) return;
    if (Date.now() > until) throw new Error(`${waiting} ${channel} mailings still waiting after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Mailing waves. (1) Launch of the initial step for a national survey (150,000 patients, each
 * with an e-mail address): ledger rows written and jobs queued. (2) Those 150,000 e-mails sent
 * by one worker process through the pooled transport to a local SMTP server (target ≥ 1,000/s).
 * (3) A whole step end to end on one worker process — print files and e-mails — for a smaller
 * survey (BENCH_E2E_PATIENTS, default 4,000), from launch to the last ledger row recorded.
 */
export async function benchMailings(
  patients = Number(process.env.BENCH_MAILING_PATIENTS || 150_000),
  e2ePatients = Number(process.env.BENCH_E2E_PATIENTS || 4000),
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-'));
  const smtp = await smtpSink();
  Object.assign(process.env, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), STORAGE_DIR: join(dir, 'storage'), SMTP_POOL_SIZE: process.env.SMTP_POOL_SIZE || '25' });
  try {
    await withBenchDatabase(async () => {
      const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
      try {
        await lockedBenchSurvey(app, dir, patients, { everyoneHasEmail: true });
        const { result: launch, seconds, peakRssMb } = await measure(() => app.get(WavesService).launch('CPES-2026', 'initial', 'bench'));
        const rows = launch.added.postal + launch.added.email;
        console.log([
          `mailings: launch of ${patients.toLocaleString('en-GB')} patients (initial, post + e-mail)`,
          `  ${rows.toLocaleString('en-GB')} ledger rows, ${launch.printFiles} print files, ${launch.jobsQueued.toLocaleString('en-GB')} jobs queued`
            + ` in ${seconds.toFixed(1)} s  →  ${Math.round(launch.jobsQueued / seconds).toLocaleString('en-GB')} jobs/s (peak RSS ${peakRssMb} MB)`,
        ].join('\n'));

        // E-mail alone: the print jobs are set aside so the worker's time goes to sending.
        await app.get(JobQueue).queue('postal').obliterate({ force: true });
        const workers = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
        try {
          const sent = await measure(() => untilDone(app.get(DataSource), 'email', 30 * 60_000));
          const [{ n }] = await app.get(DataSource).query(`SELECT count(*)::int AS n FROM mailings WHERE channel = 'email' AND status = 'sent'`);
          console.log(`  e-mail: ${n.toLocaleString('en-GB')} sent (${(await smtp.count()).toLocaleString('en-GB')} received by the SMTP server) in `
            + `${sent.seconds.toFixed(1)} s  →  ${Math.round(n / sent.seconds).toLocaleString('en-GB')} e-mails/s   (target ≥ 1,000/s; one worker process, ${process.env.SMTP_POOL_SIZE} SMTP connections)`);
        } finally {
          await workers.close();
        }
      } finally {
        await app.close();
      }
    });

    await withBenchDatabase(async () => {
      const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
      try {
        await lockedBenchSurvey(app, dir, e2ePatients, { everyoneHasEmail: true });
        const workers = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
        try {
          const db = app.get(DataSource);
          const run = await measure(async () => {
            await app.get(WavesService).launch('CPES-2026', 'initial', 'bench');
            await untilDone(db, 'email', 60 * 60_000);
            await untilDone(db, 'postal', 60 * 60_000);
          });
          const [{ packs, files }] = await db.query(`SELECT sum(packs)::int AS packs, count(*)::int AS files FROM print_batches WHERE status = 'printed'`);
          const perSecond = packs / run.seconds;
          console.log([
            `  end to end, one worker process: ${e2ePatients.toLocaleString('en-GB')} patients → ${packs.toLocaleString('en-GB')} packs in ${files} print files`
              + ` + ${e2ePatients.toLocaleString('en-GB')} e-mails in ${run.seconds.toFixed(1)} s (peak RSS ${run.peakRssMb} MB)`,
            `  → ${perSecond.toFixed(0)} patients/s; a national step of 150,000 on one worker ≈ ${(150_000 / perSecond / 3600).toFixed(1)} h (printing bound; add worker processes to divide it)`,
          ].join('\n'));
        } finally {
          await workers.close();
        }
      } finally {
        await app.close();
      }
    });
  } finally {
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
