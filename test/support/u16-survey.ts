import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeathsService } from '../../src/deaths/deaths.service';
import { JobQueue } from '../../src/infra/queues/job-queue';
import { SampleImportService } from '../../src/samples/sample-import.service';
import { ageOn, questionnaireForAge } from '../../src/surveys/questionnaire-choice';
import { parseSurveySettings } from '../../src/surveys/survey-settings';
import { resetDatabase, TestApp } from './app';
import { csvFile, patientRow, Row, tmp } from './sample-files';

export const U16 = 'U16-2026';
/** The day these specs take ages on: the questionnaire a child gets is their band's then. */
export const FIELDWORK_START = '2026-12-01';

/** Children of each band: 0-7 (parent only), 8-11 and 12-15 (a child part and a parent part). */
export const U16_CHILDREN: Row[] = [
  patientRow(1, { title: 'Miss', first_name: 'Poppy', surname: 'Tinyfixture', date_of_birth: '2022-03-01', address_1: '1 Nursery Lane', postcode: 'LS2 9JT' }),
  patientRow(2, { title: 'Master', first_name: 'Oliver', surname: 'Middlefixture', date_of_birth: '2016-06-01', address_1: '2 School Road', postcode: 'BD1 1AA' }),
  patientRow(3, { title: '', first_name: 'Alexandra-Rose', surname: 'Featherstonehaugh-Older', date_of_birth: '2012-01-15', address_1: '3 College Way', postcode: 'HX1 2AB' }),
];

export interface U16Patient { id: string; reference: string; access_code: string; first_name: string; surname: string; questionnaire: string; trust_code: string }

/**
 * An Under-16 survey (its kind's default settings) with a PTC's sample of children imported and
 * locked and a fresh deceased check. Each child's questionnaire is set here from their age on
 * FIELDWORK_START, as the initial launch would set it.
 */
export async function u16Survey(t: TestApp, rows: Row[] = U16_CHILDREN, settings?: object): Promise<U16Patient[]> {
  await resetDatabase(t.dataSource);
  for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
  await t.http().post('/api/surveys').set(t.auth)
    .send({ code: U16, kind: 'under16', periodStart: '2026-04-01', periodEnd: '2026-06-30', ...(settings ? { settings } : {}) }).expect(201);
  // Each trust of the rows, marked as a Principal Treatment Centre, sends its own sample.
  for (const trust of [...new Set(rows.map((r) => r.trust_code))]) {
    await t.http().post('/api/trusts').set(t.auth).send({ code: trust, name: `Example Children's Hospital${trust === 'RXX' ? '' : ` ${trust}`} NHS Trust` }).expect(201);
    await t.dataSource.query('UPDATE trusts SET ptc = true WHERE code = $1', [trust]);
    const path = csvFile(`u16-sample-${trust}.csv`, rows.filter((r) => r.trust_code === trust).map((r) => ({ ...r, sub_icb_code: '15F' })));
    await t.app.get(SampleImportService).import({ surveyCode: U16, trustCode: trust, path, fileName: 'u16-sample.csv', uploadedBy: 'test' });
  }
  await t.http().post(`/api/surveys/${U16}/sample/lock`).set(t.auth).expect(201);
  const trace = join(tmp, `u16-trace-${Date.now()}.csv`);
  writeFileSync(trace, 'nhs_number,date_of_death\r\n');
  await t.app.get(DeathsService).import(U16, trace, 'trace.csv', 'test');
  const kindSettings = parseSurveySettings({ ...settings }, 'under16');
  const patients: { id: string; dob: string }[] = await t.dataSource.query(`SELECT id::text, to_char(date_of_birth, 'YYYY-MM-DD') AS dob FROM patients`);
  for (const p of patients) {
    await t.dataSource.query('UPDATE patients SET questionnaire = $2 WHERE id = $1', [p.id, questionnaireForAge(kindSettings, ageOn(p.dob, FIELDWORK_START))]);
  }
  return t.dataSource.query(
    `SELECT id::text, survey_reference AS reference, access_code, first_name, surname, questionnaire, trust_code FROM patients ORDER BY trust_code, row_number`);
}
