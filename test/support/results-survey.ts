import { AreaLookupService } from '../../src/areas/area-lookup.service';
import { SampleImportService } from '../../src/samples/sample-import.service';
import { resetDatabase, TestApp } from './app';
import { areaFile, areaRow } from './area-files';
import { csvFile, patientRow, Row } from './sample-files';

/**
 * A small synthetic results survey whose figures are worked by hand from RESULTS-METHOD.md.
 *
 * Everyone shares one case mix (female, White, 76 → 75–84, IMD decile 2 → quintile 1, C50.9 →
 * Breast), so the model is its intercept alone and every expected score is the national one.
 * Q2 (gp_explained_referral): "1" positive, "2"/"3" other, "4" excluded.
 *   CPES-2026  RAA: 15 × "1" (3 of them said the cancer had spread: the secondary breast cancer
 *              group), 6 × "3", 1 × "4" (22 respondents, base 21); one blank return.
 *              RBB: 10 × "1", 10 × "2" (base 20: one short of the threshold, 21).
 *              National: 25 positive of 41 = 60.9756 → 61.0.
 *   CPES-2025  (CPES-2026's previousSurvey) RAA: 10 × "1", 15 × "3" (base 25) = 40.0.
 * CPES-2026 may be purged at once (retentionDaysAfterClose 0). Its results were published on
 * 1 January 2026 (publicationAt), so trust users see them; publication.spec.ts moves the date.
 */
export async function seedResultsSurvey(t: TestApp): Promise<void> {
  const answersOf = (q2: string, extra: Record<string, unknown> = {}) => ({ gp_explained_referral: q2, ...extra });
  async function sampleAndAnswer(survey: string, trust: string, from: number, answers: Record<string, unknown>[]) {
    const year = survey.slice(-4);
    const rows: Row[] = answers.map((_, i) => patientRow(from + i, {
      trust_code: trust, site_code: `${trust}01`, patient_record_number: `${trust}-${from + i}`, admission_date: `${year}-05-01`, discharge_date: `${year}-05-02`,
    }));
    await t.app.get(SampleImportService).import({ surveyCode: survey, trustCode: trust, path: csvFile(`${survey}-${trust}.csv`, rows), fileName: 'sample.csv', uploadedBy: 'test' });
    const patients: { access_code: string }[] = await t.dataSource.query(
      `SELECT p.access_code FROM patients p JOIN surveys s ON s.id = p.survey_id WHERE s.code = $1 AND p.trust_code = $2 ORDER BY p.row_number`, [survey, trust]);
    for (const [i, a] of answers.entries()) await t.http().post(`/api/online/${patients[i].access_code}/response`).send({ answers: a }).expect(201);
  }

  await resetDatabase(t.dataSource);
  await t.app.get(AreaLookupService).import(areaFile('results-areas.csv', [areaRow('LS1 4AB', 2, '15F', 'QWO', 'E56000099')]), 'areas.csv', 'test');
  for (const code of ['RAA', 'RBB']) await t.http().post('/api/trusts').set(t.auth).send({ code, name: `Synthetic ${code} NHS Trust` }).expect(201);
  await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2025', periodStart: '2025-04-01', periodEnd: '2025-06-30' }).expect(201);
  await t.http().post('/api/surveys').set(t.auth)
    .send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30', settings: { previousSurvey: 'CPES-2025', retentionDaysAfterClose: 0, publicationAt: '2026-01-01T09:30:00Z' } }).expect(201);

  const spread = { cancer_spread: '1' }; // "Yes": with C50, the secondary breast cancer group
  await sampleAndAnswer('CPES-2026', 'RAA', 1, [
    ...Array.from({ length: 12 }, () => answersOf('1')), ...Array.from({ length: 3 }, () => answersOf('1', spread)),
    ...Array.from({ length: 6 }, () => answersOf('3')), answersOf('4'), {},
  ]);
  await sampleAndAnswer('CPES-2026', 'RBB', 101, [...Array.from({ length: 10 }, () => answersOf('1')), ...Array.from({ length: 10 }, () => answersOf('2'))]);
  // The trust's 2025 sample holds other people (other NHS numbers).
  await sampleAndAnswer('CPES-2025', 'RAA', 201, [...Array.from({ length: 10 }, () => answersOf('1')), ...Array.from({ length: 15 }, () => answersOf('3'))]);
}
