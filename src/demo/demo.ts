import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { generateSampleFile } from '../../bench/sample-file-generator';
import { configOrExit } from '../boot';
import { CliModule } from '../cli/cli.module';
import { DeathsService } from '../deaths/deaths.service';
import { HelplineService } from '../helpline/helpline.service';
import { startHttp } from '../main';
import { ResponsesService } from '../responses/responses.service';
import { ReturnsService } from '../responses/returns.service';
import { SampleFilesService } from '../samples/sample-files.service';
import { SampleImportService } from '../samples/sample-import.service';
import { SurveysService } from '../surveys/surveys.service';
import { TrustsService } from '../trusts/trusts.service';
import { UsersService } from '../users/users.service';
import { startWorkers } from '../worker';
import { loadUnder16Demo, UNDER16_SURVEY } from './under16-demo';
import { launchInitialAndWait } from './launch-initial';

const SURVEY = 'DEMO-2026';
const TRUSTS = [
  { code: 'RDA', name: 'Demo Synthetic Hospitals NHS Trust (A)' },
  { code: 'RDB', name: 'Demo Synthetic Hospitals NHS Trust (B)' },
  { code: 'RDC', name: 'Demo Synthetic Hospitals NHS Trust (C)' },
];
/** Demo accounts on the local demo database only: never a real service. */
const PASSWORD = 'demo password, not for real use';
const USERS = [
  { email: 'coordinator@demo.invalid', role: 'coordinator' },
  { email: 'trust@demo.invalid', role: 'trust', trustCode: 'RDA' },
  { email: 'helpline@demo.invalid', role: 'helpline' },
] as const;

/**
 * `npm run demo`: a clearly synthetic survey for newcomers (three trusts' sample files, the
 * initial mailing printed and e-mailed to the outbox, some returns, online answers and
 * helpline calls), then the service and workers, and where to sign in. Loads once: a second
 * run finds DEMO-2026 and just starts.
 */
async function main(): Promise<void> {
  const config = configOrExit();
  await startWorkers();
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'] });
  const log = new Logger('Demo');
  const existing = await app.get(DataSource).query('SELECT 1 FROM surveys WHERE code = $1', [SURVEY]);
  let accessCode: string | undefined;
  if (!existing.length) {
    log.log(`Loading the synthetic ${SURVEY} survey…`);
    accessCode = await load(app);
  } else {
    [{ access_code: accessCode }] = await app.get(DataSource).query(
      `SELECT p.access_code FROM patients p JOIN surveys s ON s.id = p.survey_id
       WHERE s.code = $1 AND p.access_code_used_at IS NULL AND p.access_code IS NOT NULL ORDER BY p.id LIMIT 1`, [SURVEY]);
  }
  await app.close();
  await startHttp();
  const base = `http://localhost:${config.PORT}`;
  console.log([
    '',
    `Fieldwork demo (${SURVEY} and the Under-16 survey ${UNDER16_SURVEY}, synthetic data) at ${base}`,
    `  Sign in at ${base}/login with the password "${PASSWORD}" as:`,
    ...USERS.map((u) => `    ${u.email.padEnd(26)} ${u.role}${'trustCode' in u ? ` (${u.trustCode})` : ''}`),
    `  A patient's online questionnaire: ${base}/s/${accessCode ?? ''}`,
    `  Print files and e-mails (outbox) are in the file store: ${config.STORAGE_URL ?? `the folder ${config.STORAGE_DIR}`}.`,
    '',
  ].join('\n'));
}

async function load(app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldwork-demo-'));
  try {
    await app.get(SurveysService).create({ code: SURVEY, name: 'Demonstration survey (synthetic data)', periodStart: '2026-04-01', periodEnd: '2026-06-30' });
    const deceased: string[] = [];
    for (const [i, trust] of TRUSTS.entries()) {
      await app.get(TrustsService).add({ code: trust.code, name: trust.name, icb: 'QDM' });
      const path = join(dir, `${trust.code}.csv`);
      const planted = await generateSampleFile(path, { trustCode: trust.code, rows: 40 + 20 * i, seed: 100 + i });
      deceased.push(...planted.deceased);
      await app.get(SampleImportService).import({ surveyCode: SURVEY, trustCode: trust.code, path, fileName: `${trust.code}-sample.csv`, uploadedBy: 'demo' });
    }
    await app.get(SampleFilesService).lock(SURVEY);
    const trace = join(dir, 'trace.csv');
    writeFileSync(trace, ['nhs_number,date_of_death', ...deceased.map((n) => `${n},2026-10-01`)].join('\n') + '\n');
    await app.get(DeathsService).import(SURVEY, trace, 'demo-trace.csv', 'demo');

    await launchInitialAndWait(app, SURVEY);

    const db = app.get(DataSource);
    const patients: { ref: string; code: string }[] = await db.query(
      `SELECT p.survey_reference AS ref, p.access_code AS code FROM patients p JOIN surveys s ON s.id = p.survey_id WHERE s.code = $1 ORDER BY p.id`, [SURVEY]);
    const returns = app.get(ReturnsService);
    for (const p of patients.slice(0, 12)) await returns.bookIn(SURVEY, { reference: p.ref, type: 'completed' }, 'demo post room');
    await returns.bookIn(SURVEY, { reference: patients[12].ref, type: 'blank' }, 'demo post room');
    await returns.bookIn(SURVEY, { reference: patients[13].ref, type: 'undelivered' }, 'demo post room');
    for (const [i, p] of patients.slice(20, 30).entries()) {
      await app.get(ResponsesService).submitOnline(p.code, { gp_visits: String(1 + (i % 5)), overall_rating: 5 + (i % 6) });
    }
    const helpline = app.get(HelplineService);
    const staff = { id: 'helpline@demo.invalid', role: 'helpline' as const };
    await helpline.log(SURVEY, patients[14].ref, { type: 'opt_out', reason: 'Does not wish to take part' }, staff);
    await helpline.log(SURVEY, patients[15].ref, { type: 'alternative_format', format: 'large_print' }, staff);
    await helpline.log(SURVEY, patients[16].ref, { type: 'deceased', dateOfDeath: new Date().toISOString().slice(0, 10), caller: 'relative' }, staff);

    const users = app.get(UsersService);
    for (const u of USERS) {
      const { user, oneTimePassword } = await users.add({ email: u.email, role: u.role, trustCode: 'trustCode' in u ? u.trustCode : undefined }, 'demo');
      await users.changePassword(user.id, oneTimePassword, PASSWORD);
    }
    await loadUnder16Demo(app, dir);
    return patients[40].code;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
