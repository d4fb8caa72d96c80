import type { INestApplicationContext } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { syntheticNhsNumber } from '../../bench/sample-file-generator';
import { DeathsService } from '../deaths/deaths.service';
import { ResponsesService } from '../responses/responses.service';
import { SampleFilesService } from '../samples/sample-files.service';
import { SAMPLE_COLUMNS } from '../samples/sample-columns';
import { SampleImportService } from '../samples/sample-import.service';
import { SurveysService } from '../surveys/surveys.service';
import { TrustsService } from '../trusts/trusts.service';
import { launchInitialAndWait } from './launch-initial';

export const UNDER16_SURVEY = 'DEMO-U16-2026';
export const PTC = { code: 'RDP', name: "Demo Synthetic Children's Hospital NHS Trust (PTC)" };

const FIRST = ['Sam', 'Alex', 'Robin', 'Jo', 'Charlie', 'Kit'];
const CODES = ['C91.0', 'C71.6', 'D33.1', 'C64', 'D35.2', 'C49.9'];
const iso = (d: Date) => d.toISOString().slice(0, 10);

/**
 * A small, clearly synthetic Under-16 survey: one PTC, children of every age band (and one
 * aged 16 at discharge, excluded over_15), the initial packs printed to the parents or carers,
 * and a few families' answers: a child's part alone, a parent's part alone, and both.
 */
export async function loadUnder16Demo(app: INestApplicationContext, dir: string): Promise<void> {
  await app.get(SurveysService).create({ code: UNDER16_SURVEY, kind: 'under16', name: 'Demonstration Under-16 survey (synthetic data)', periodStart: '2026-04-01', periodEnd: '2026-06-30' });
  await app.get(TrustsService).add({ code: PTC.code, name: PTC.name, icb: 'QDM', ptc: true });
  const path = join(dir, `${PTC.code}-u16.csv`);
  const rows = [Object.keys(SAMPLE_COLUMNS).join(',')];
  for (let i = 0; i < 33; i++) {
    // Ages 0 to 15 on the discharge day, twice over, then one who had turned 16.
    const age = i < 32 ? i % 16 : 16;
    const born = new Date(Date.UTC(2026 - age - 1, 6 + (i % 5), 1 + (i % 27)));
    const discharge = `2026-0${4 + (i % 3)}-${String(2 + i % 26).padStart(2, '0')}`;
    rows.push([PTC.code, `${PTC.code}01`, `${PTC.code}-CHILD-${String(i + 1).padStart(5, '0')}`, syntheticNhsNumber(400_000 + i), '',
      FIRST[i % FIRST.length], 'Synthetic', `${10 + i} Fixture Lane`, 'Testville', 'Fixtureshire', '', '', `LS${1 + (i % 9)} ${i % 10}CD`,
      iso(born), String(1 + (i % 2)), 'A', CODES[i % CODES.length], discharge, discharge, '1', 'Y', '15F',
      i % 4 === 0 ? `family${i}@example.invalid` : '', ''].join(','));
  }
  writeFileSync(path, rows.join('\r\n') + '\r\n');
  await app.get(SampleImportService).import({ surveyCode: UNDER16_SURVEY, trustCode: PTC.code, path, fileName: `${PTC.code}-u16-sample.csv`, uploadedBy: 'demo' });
  await app.get(SampleFilesService).lock(UNDER16_SURVEY);
  const trace = join(dir, 'u16-trace.csv');
  writeFileSync(trace, 'nhs_number,date_of_death\n');
  await app.get(DeathsService).import(UNDER16_SURVEY, trace, 'demo-u16-trace.csv', 'demo');

  await launchInitialAndWait(app, UNDER16_SURVEY);

  const families: { code: string; questionnaire: string }[] = await app.get(DataSource).query(
    `SELECT p.access_code AS code, p.questionnaire FROM patients p JOIN surveys s ON s.id = p.survey_id
     WHERE s.code = $1 ORDER BY p.id`, [UNDER16_SURVEY]);
  const responses = app.get(ResponsesService);
  const older = families.filter((f) => f.questionnaire !== 'u16-0-7');
  const youngest = families.filter((f) => f.questionnaire === 'u16-0-7');
  for (const [i, f] of older.slice(0, 4).entries()) {
    await responses.submitOnline(f.code, { child_overall_rating: 6 + i }, 'child');
    if (i % 2 === 0) await responses.submitOnline(f.code, { parent_overall_rating: 7 + i }, 'parent');
  }
  for (const [i, f] of youngest.slice(0, 3).entries()) {
    await responses.submitOnline(f.code, { parent_overall_rating: 8 + i }, 'parent');
  }
}
