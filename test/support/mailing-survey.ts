import { Test } from '@nestjs/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeathsService } from '../../src/deaths/deaths.service';
import { JobQueue } from '../../src/infra/queues/job-queue';
import { WavesService, StepProgress } from '../../src/mailings/waves.service';
import { SampleImportService } from '../../src/samples/sample-import.service';
import { WorkerModule } from '../../src/worker.module';
import { resetDatabase, TestApp } from './app';
import { csvFile, Row, tmp } from './sample-files';

export interface SampledPatient {
  id: string;
  reference: string;
  access_code: string;
  email: string | null;
  nhs_number: string;
  postcode: string;
  surname: string;
}

/** CPES-2026 (with these settings, if any) with trust RXX's sample imported and locked, and a fresh (empty) deceased check. */
export async function lockedSurvey(t: TestApp, rows: Row[], settings?: object): Promise<SampledPatient[]> {
  await resetDatabase(t.dataSource);
  for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
  await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30', ...(settings ? { settings } : {}) }).expect(201);
  await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Hospitals NHS Trust' }).expect(201);
  const path = csvFile('mailing-sample.csv', rows);
  await t.app.get(SampleImportService).import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'mailing-sample.csv', uploadedBy: 'test' });
  await t.http().post('/api/surveys/CPES-2026/sample/lock').set(t.auth).expect(201);
  await traceDeaths(t, []);
  return t.dataSource.query(
    `SELECT id::text, survey_reference AS reference, access_code, email, nhs_number, postcode, surname FROM patients ORDER BY row_number`);
}

/** Imports a trace response listing these NHS numbers as dead (an empty one is a fresh check). */
export async function traceDeaths(t: TestApp, nhsNumbers: string[]): Promise<void> {
  const path = join(tmp, `trace-${Date.now()}.csv`);
  writeFileSync(path, ['nhs_number,date_of_death', ...nhsNumbers.map((n) => `${n},2026-11-01`)].join('\r\n') + '\r\n');
  await t.app.get(DeathsService).import('CPES-2026', path, 'trace.csv', 'test');
}

/** The worker entry point's module, in this process, with extra environment (e.g. the SMTP server). */
export async function startWorkers(env: Record<string, string> = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const moduleRef = await Test.createTestingModule({ imports: [WorkerModule] }).compile();
    moduleRef.useLogger(['error']);
    await moduleRef.init();
    return moduleRef;
  } finally {
    process.env = saved;
  }
}

/** Polls the step's progress until nothing is waiting (or the time runs out). */
export async function settled(t: TestApp, step: string, timeoutMs = 30_000): Promise<StepProgress> {
  const waves = t.app.get(WavesService);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [progress] = (await waves.status('CPES-2026', step)).steps;
    const waiting = progress.channels.postal.waiting + progress.channels.email.waiting + progress.channels.sms.waiting + progress.printFiles.planned;
    if (!waiting) return progress;
    if (Date.now() > until) throw new Error(`${step} still has work waiting: ${JSON.stringify(progress)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export type Ledger = { patient_id: string; step: string; channel: string; status: string; suppression_reason: string | null; error: string | null }[];

export const ledger = (t: TestApp, step: string): Promise<Ledger> => t.dataSource.query(
  `SELECT patient_id::text, step, channel, status, suppression_reason, error FROM mailings WHERE step = $1 ORDER BY patient_id, channel`, [step]);
