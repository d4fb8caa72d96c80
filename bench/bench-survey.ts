import type { INestApplicationContext } from '@nestjs/common';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { SampleFilesService } from '../src/samples/sample-files.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import { SurveysService } from '../src/surveys/surveys.service';
import { TrustsService } from '../src/trusts/trusts.service';
import { generateSampleFile } from './sample-file-generator';

/**
 * CPES-2026 with exactly `patients` synthetic sampled patients of one trust, locked, with a
 * fresh (empty) deceased check so mailings may go out. `everyoneHasEmail` gives each a
 * synthetic address, so every letter has an e-mail beside it.
 */
export async function lockedBenchSurvey(
  app: INestApplicationContext, dir: string, patients: number, options: { everyoneHasEmail?: boolean } = {},
): Promise<void> {
  const csv = join(dir, `sample-${patients}.csv`);
  await generateSampleFile(csv, { trustCode: 'RXX', rows: Math.ceil(patients / 0.86), seed: 5 });
  await app.get(SurveysService).create({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' });
  await app.get(TrustsService).add({ code: 'RXX', name: 'Benchmark NHS Trust' });
  await app.get(SampleImportService).import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path: csv, fileName: 'sample.csv', uploadedBy: 'bench' });
  const db = app.get(DataSource);
  const [{ n }] = await db.query('SELECT count(*)::int AS n FROM patients');
  if (n < patients) throw new Error(`the generated sample holds ${n} patients, fewer than the ${patients} asked for`);
  await db.query('DELETE FROM patients WHERE id IN (SELECT id FROM patients ORDER BY id OFFSET $1)', [patients]);
  if (options.everyoneHasEmail) await db.query(`UPDATE patients SET email = 'bench' || id || '@example.invalid'`);
  await app.get(SampleFilesService).lock('CPES-2026');
  await db.query(
    `INSERT INTO deceased_checks (survey_id, file_name, rows_read, deaths, new_deaths, matched, imported_by)
     SELECT id, 'bench-trace.csv', 0, 0, 0, 0, 'bench' FROM surveys`);
}
