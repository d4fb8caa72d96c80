import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotifyClient } from 'notifications-node-client';
import { DataSource } from 'typeorm';
import { CliModule } from '../src/cli/cli.module';
import { JobQueue } from '../src/infra/queues/job-queue';
import { QUEUE_POLICY } from '../src/infra/queues/job-catalogue';
import { WavesService } from '../src/mailings/waves.service';
import { WorkerModule } from '../src/worker.module';
import { NOTIFY_API_KEY, NotifyStandIn, SMS_TEMPLATE_ID } from './notify-stand-in';
import { measure, withBenchDatabase } from './bench-database';
import { lockedBenchSurvey } from './bench-survey';

const IN_FLIGHT = QUEUE_POLICY.sms.concurrency;

/**
 * SMS jobs per second against a local stand-in for GOV.UK Notify (the real client, real JWTs),
 * beside a bare baseline: the same client sending the same number of texts to the same stand-in,
 * as many in flight as the sms queue's concurrency, with no service around it (no ledger claim,
 * suppression check, BullMQ or result). Printed as a ratio. One worker process: the stand-in
 * answers in well under a millisecond, so this measures the service's own cost per text.
 */
export async function benchSms(texts = Number(process.env.BENCH_SMS_TEXTS || 5_000)): Promise<void> {
  const notify = await new NotifyStandIn().start();
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-bench-sms-'));
  const saved = { ...process.env };
  try {
    // The baseline runs before and after the service, and counts as their mean: on a loaded
    // machine a single run before it would credit or blame the service for the load's drift.
    const before = await bareClient(notify, texts);
    notify.texts.length = 0;
    Object.assign(process.env, notify.env(), { STORAGE_DIR: join(dir, 'storage') });
    const service = await serviceRate(dir, notify, texts);
    notify.texts.length = 0;
    const after = await bareClient(notify, texts);
    const baseline = (before + after) / 2;
    console.log([
      `sms: ${texts.toLocaleString('en-GB')} texts, ${IN_FLIGHT} in flight, Notify stand-in in this process`,
      `  bare notifications-node-client (baseline): ${Math.round(baseline).toLocaleString('en-GB')}/s (before ${Math.round(before)}/s, after ${Math.round(after)}/s)`,
      `  service, 1 worker process (claim, suppression check, send, record, BullMQ): ${Math.round(service).toLocaleString('en-GB')}/s  →  ratio ${(service / baseline).toFixed(2)}`,
    ].join('\n'));
  } finally {
    process.env = saved;
    await notify.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bareClient(notify: NotifyStandIn, texts: number): Promise<number> {
  const client = new NotifyClient(notify.url, NOTIFY_API_KEY);
  let next = 0;
  const one = async () => {
    for (let i = next++; i < texts; i = next++) {
      const code = `BENCH${String(i).padStart(7, '0')}`;
      await client.sendSms(SMS_TEMPLATE_ID, `07700${String(i).padStart(6, '0')}`, {
        reference: String(i + 1), personalisation: { link: `https://example.invalid/s/${code}`, access_code: code, helpline: '0808 157 0192' },
      });
    }
  };
  const run = await measure(() => Promise.all(Array.from({ length: IN_FLIGHT }, one)));
  if (notify.texts.length !== texts) throw new Error(`the stand-in received ${notify.texts.length} texts, expected ${texts}`);
  return texts / run.seconds;
}

async function serviceRate(dir: string, notify: NotifyStandIn, texts: number): Promise<number> {
  return withBenchDatabase(async () => {
    const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
    let workers: Awaited<ReturnType<typeof NestFactory.createApplicationContext>> | undefined;
    try {
      await lockedBenchSurvey(app, dir, texts);
      const db = app.get(DataSource);
      await db.query(`UPDATE patients SET mobile = '07700' || lpad(id::text, 6, '0')`);
      await db.query(`UPDATE surveys SET settings = settings || $1::jsonb`,
        [JSON.stringify({ mailingPlan: [{ name: 'initial', day: 0, channels: { sms: {} } }] })]);
      // Jobs wait until the worker is up, so the clock starts with it ready.
      await app.get(JobQueue).queue('sms').pause();
      const launched = await app.get(WavesService).launch('CPES-2026', 'initial', 'bench');
      if (launched.added.sms !== texts) throw new Error(`the launch planned ${launched.added.sms} texts, expected ${texts}`);
      workers = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
      const run = await measure(async () => {
        await app.get(JobQueue).queue('sms').resume();
        for (;;) {
          const [{ left }] = await db.query(`SELECT count(*)::int AS left FROM mailings WHERE channel = 'sms' AND status IN ('pending', 'sending')`);
          if (!left) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      });
      const [{ sent }] = await db.query(`SELECT count(*)::int AS sent FROM mailings WHERE channel = 'sms' AND status = 'sent'`);
      if (sent !== texts || notify.texts.length !== texts) throw new Error(`${sent} texts recorded sent and ${notify.texts.length} received, expected ${texts}`);
      return texts / run.seconds;
    } finally {
      await workers?.close();
      await app.close();
    }
  });
}
