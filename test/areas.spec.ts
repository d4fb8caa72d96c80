import { SampleImportService } from '../src/samples/sample-import.service';
import { resetDatabase, startApp, TestApp } from './support/app';
import { areaFile, areaRow, generatedAreaFile } from './support/area-files';
import { cli } from './support/cli';
import { csvFile, patientRow, Row } from './support/sample-files';

/** Synthetic areas: no real sub-ICB, ICB or Cancer Alliance has these codes. */
const GOOD_LOOKUP = [
  areaRow('LS1 4AB', 1, '91A', 'QZA', 'E56000091'),
  areaRow('ls2 9jt', 2, '91A', 'QZA', 'E56000091'), // any case, with a space
  areaRow('BD11AA', 3, '92B', 'QZA', 'E56000091'), // without one
  areaRow('HX1 2AB', 10, '93C', 'QZB', 'E56000092'),
  areaRow('YO1 7HH', '', '92B', 'QZA', 'E56000091'), // decile not known
];

const SAMPLE: Row[] = [
  patientRow(1, { postcode: 'LS1 4AB', sub_icb_code: '91A' }),
  patientRow(2, { postcode: 'LS2 9JT', sub_icb_code: '91a' }),
  patientRow(3, { postcode: 'BD1 1AA', sub_icb_code: '92B', date_of_birth: '1961-05-03' }),
  patientRow(4, { postcode: 'HX1 2AB', sub_icb_code: '93C' }),
  patientRow(5, { postcode: 'YO1 7HH', sub_icb_code: '' }), // no sub-ICB: the trust's own ICB
  patientRow(6, { postcode: 'LS6 2AB', sub_icb_code: '99X' }), // neither postcode nor sub-ICB in the lookup
];

describe('area lookup and the grouping variables kept after the purge', () => {
  let t: TestApp;
  const importSample = (survey: string, rows: Row[], trust = 'RXX') => t.app.get(SampleImportService).import({
    surveyCode: survey, trustCode: trust, path: csvFile(`${survey}-${trust}.csv`, rows), fileName: 'sample.csv', uploadedBy: 'test',
  });
  const grouping = (survey = 'CPES-2026', trust = 'RXX') => t.dataSource.query(
    `SELECT p.row_number - 1 AS patient, p.imd_quintile, p.icb_code, p.cancer_alliance_code, p.age_at_discharge, p.groups_derived_at IS NOT NULL AS derived
     FROM patients p JOIN surveys s ON s.id = p.survey_id WHERE s.code = $1 AND p.trust_code = $2 ORDER BY p.row_number`, [survey, trust]);
  const lookupSize = async () => (await t.dataSource.query(
    `SELECT (SELECT count(*)::int FROM area_postcodes) AS postcodes, (SELECT count(*)::int FROM area_sub_icbs) AS "subIcbs",
       (SELECT string_agg(file_name, ',') FROM area_lookup_imports) AS file`))[0];

  beforeAll(async () => {
    t = await startApp();
    await resetDatabase(t.dataSource);
    for (const code of ['CPES-2026', 'PURGE-2026']) {
      await t.http().post('/api/surveys').set(t.auth)
        .send({ code, periodStart: '2026-04-01', periodEnd: '2026-06-30', settings: { retentionDaysAfterClose: 0 } }).expect(201);
    }
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Synthetic NHS Trust', icb: 'QZA' }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RYY', name: 'Another Synthetic NHS Trust', icb: 'QZY' }).expect(201);
    await importSample('CPES-2026', SAMPLE);
    await importSample('PURGE-2026', SAMPLE);
  });
  afterAll(() => t.app.close());

  it('refuses to purge a survey before any area lookup is imported, and says what to do', async () => {
    expect((await grouping()).every((p: { derived: boolean }) => !p.derived)).toBe(true);
    expect((await cli(['survey:close', '--survey', 'PURGE-2026', '--json'])).code).toBe(0);
    const refused = await cli(['survey:purge', '--survey', 'PURGE-2026', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json.error).toMatchObject({ code: 'invalid_state', message: expect.stringMatching(/no area lookup has been imported.*areas:import/) });
    const [{ purged }] = await t.dataSource.query(`SELECT count(*)::int AS purged FROM patients WHERE purged_at IS NOT NULL`);
    expect(purged).toBe(0);
  });

  it("imports the lookup and derives each patient's IMD quintile, ICB and Cancer Alliance in every survey", async () => {
    const run = await cli(['areas:import', '--file', areaFile('areas.csv', GOOD_LOOKUP), '--json']);
    expect(run.code).toBe(0);
    expect(run.json).toEqual({
      fileName: 'areas.csv', importedAt: expect.any(String), rows: 5, subIcbs: 3, icbs: 2, alliances: 2,
      surveys: [
        { survey: 'CPES-2026', patients: 6, imdKnown: 4, icbKnown: 5, allianceKnown: 5, icbFromTrust: 1 },
        { survey: 'PURGE-2026', patients: 6, imdKnown: 4, icbKnown: 5, allianceKnown: 5, icbFromTrust: 1 },
      ],
    });
    expect(await grouping()).toEqual([
      { patient: 1, imd_quintile: 1, icb_code: 'QZA', cancer_alliance_code: 'E56000091', age_at_discharge: 76, derived: true }, // decile 1
      { patient: 2, imd_quintile: 1, icb_code: 'QZA', cancer_alliance_code: 'E56000091', age_at_discharge: 76, derived: true }, // decile 2
      { patient: 3, imd_quintile: 2, icb_code: 'QZA', cancer_alliance_code: 'E56000091', age_at_discharge: 64, derived: true }, // decile 3
      { patient: 4, imd_quintile: 5, icb_code: 'QZB', cancer_alliance_code: 'E56000092', age_at_discharge: 76, derived: true }, // decile 10
      { patient: 5, imd_quintile: null, icb_code: 'QZA', cancer_alliance_code: 'E56000091', age_at_discharge: 76, derived: true }, // the trust's ICB
      { patient: 6, imd_quintile: null, icb_code: null, cancer_alliance_code: null, age_at_discharge: 76, derived: true }, // unknown
    ]);
  });

  it('refuses a file with bad rows, naming each row and column and never the value, and keeps the lookup it had', async () => {
    const bad = areaFile('bad-areas.csv', [
      areaRow('LS1 4AB', 1, '91A', 'QZA', 'E56000091'),
      areaRow('LS3 1AA', 11, '91A', 'QZA', 'E56000091'),
      areaRow('NOTAPOSTCODE', 4, '91A', 'QZA', 'E56000091'),
      areaRow('LS4 1AA', 4, '91A', 'QZB', 'E56000091'),
      areaRow('LS5 1AA', 4, '', 'QZA', 'E56000091'),
      'LS7 1AA,4,91A,QZA,Another name,E56000091,Synthetic Cancer Alliance E56000091',
    ]);
    const run = await cli(['areas:import', '--file', bad, '--json']);
    expect(run.code).toBe(1);
    expect(run.json.error).toEqual({
      code: 'file_rejected', message: '5 problems found in the area lookup; nothing was imported. Correct the file and import it again.',
      details: [
        { where: 'row 3, imd_decile', message: 'must be a whole number from 1 to 10, or blank when not known' },
        { where: 'row 4, postcode', message: 'is not a UK postcode' },
        { where: 'row 5, icb_code', message: 'differs from row 2, which gives the same sub_icb_code another ICB' },
        { where: 'row 6, sub_icb_code', message: 'is empty' },
        { where: 'row 7, icb_name', message: 'differs from row 2, which gives the same icb_code another name' },
      ],
    });
    expect(run.stdout).not.toContain('NOTAPOSTCODE');

    const repeated = await cli(['areas:import', '--file', areaFile('repeated.csv', [...GOOD_LOOKUP, areaRow('ls14ab', 2, '91A', 'QZA', 'E56000091')]), '--json']);
    expect(repeated.json.error).toMatchObject({ code: 'file_rejected', details: [{ where: 'row 7, postcode', message: 'repeats the postcode of row 2' }] });
    const missing = await cli(['areas:import', '--file', areaFile('missing.csv', ['LS1 4AB,91A'], 'postcode,sub_icb_code'), '--json']);
    expect(missing.json.error).toMatchObject({ code: 'file_rejected', message: expect.stringContaining('imd_decile, icb_code, icb_name, cancer_alliance_code, cancer_alliance_name') });

    expect(await lookupSize()).toEqual({ postcodes: 5, subIcbs: 3, file: 'areas.csv' });
  });

  it('replaces the whole lookup when a file is imported again, and derives every survey again from it', async () => {
    const replaced = await cli(['areas:import', '--file', areaFile('areas-2.csv', [areaRow('LS1 4AB', 9, '91A', 'QZA', 'E56000091')]), '--json']);
    expect(replaced.json).toMatchObject({ rows: 1, subIcbs: 1, icbs: 1, alliances: 1 });
    expect(await lookupSize()).toEqual({ postcodes: 1, subIcbs: 1, file: 'areas-2.csv' });
    expect((await grouping()).map((p: any) => [p.imd_quintile, p.icb_code])).toEqual([
      [5, 'QZA'], [null, 'QZA'], [null, null], [null, null], [null, 'QZA'], [null, null],
    ]);
    expect((await cli(['areas:import', '--file', areaFile('areas.csv', GOOD_LOOKUP), '--json'])).code).toBe(0);
    expect((await grouping()).map((p: any) => p.imd_quintile)).toEqual([1, 1, 2, 5, null, null]);
  });

  it("derives a sample imported once the lookup exists at once, with the trust's ICB when the sample gives no sub-ICB", async () => {
    await importSample('CPES-2026', [
      patientRow(1, { trust_code: 'RYY', postcode: 'HX1 2AB', sub_icb_code: '' }), // the trust's ICB is not in the lookup
      patientRow(2, { trust_code: 'RYY', postcode: 'LS2 9JT', sub_icb_code: '93C' }),
    ], 'RYY');
    expect((await grouping('CPES-2026', 'RYY')).map((p: any) => [p.imd_quintile, p.icb_code, p.cancer_alliance_code, p.derived])).toEqual([
      [5, 'QZY', null, true], [1, 'QZB', 'E56000092', true],
    ]);
  });

  it('derives a survey again on demand with results:derive', async () => {
    await t.dataSource.query(`UPDATE patients p SET imd_quintile = NULL, icb_code = NULL, cancer_alliance_code = NULL, groups_derived_at = NULL
      FROM surveys s WHERE s.id = p.survey_id AND s.code = 'CPES-2026' AND p.trust_code = 'RXX'`);
    const run = await cli(['results:derive', '--survey', 'CPES-2026', '--json']);
    expect(run.code).toBe(0);
    expect(run.json).toEqual({ survey: 'CPES-2026', patients: 8, imdKnown: 6, icbKnown: 7, allianceKnown: 6, icbFromTrust: 2 });
    expect((await grouping()).map((p: any) => [p.imd_quintile, p.icb_code])).toEqual([
      [1, 'QZA'], [1, 'QZA'], [2, 'QZA'], [5, 'QZB'], [null, 'QZA'], [null, null],
    ]);
    const unknown = await cli(['results:derive', '--survey', 'NOPE-2026', '--json']);
    expect(unknown.json.error).toMatchObject({ code: 'not_found' });
  });

  it("refuses a purge while a patient's variables are not derived, then keeps them unchanged through the purge", async () => {
    await t.dataSource.query(`UPDATE patients p SET groups_derived_at = NULL FROM surveys s
      WHERE s.id = p.survey_id AND s.code = 'PURGE-2026' AND p.row_number = 3`);
    const refused = await cli(['survey:purge', '--survey', 'PURGE-2026', '--json']);
    expect(refused.json.error).toMatchObject({ code: 'invalid_state', message: expect.stringMatching(/^1 patient of this survey has no IMD quintile.*results:derive/) });

    expect((await cli(['results:derive', '--survey', 'PURGE-2026', '--json'])).json).toMatchObject({ patients: 6 });
    const before = await grouping('PURGE-2026');
    const purged = await cli(['survey:purge', '--survey', 'PURGE-2026', '--json']);
    expect(purged.json).toMatchObject({ survey: 'PURGE-2026', patients: 6 });
    expect(await grouping('PURGE-2026')).toEqual(before);
    const [{ postcodes }] = await t.dataSource.query(
      `SELECT count(p.postcode)::int AS postcodes FROM patients p JOIN surveys s ON s.id = p.survey_id WHERE s.code = 'PURGE-2026'`);
    expect(postcodes).toBe(0);
    // A new lookup leaves a purged survey's variables as the purge kept them.
    await cli(['areas:import', '--file', areaFile('areas-3.csv', [areaRow('LS1 4AB', 9, '91A', 'QZA', 'E56000091')]), '--json']);
    expect(await grouping('PURGE-2026')).toEqual(before);
    expect((await cli(['results:derive', '--survey', 'PURGE-2026', '--json'])).json.error).toMatchObject({ code: 'invalid_state' });
  }, 90_000); // the purge rewrites tables and forces checkpoints

  it('imports a 50,000-row lookup through the streaming COPY path', async () => {
    const started = Date.now();
    const run = await cli(['areas:import', '--file', generatedAreaFile('areas-50k.csv', 50_000), '--json']);
    expect(run.json).toMatchObject({ rows: 50_000, subIcbs: 7, icbs: 3, alliances: 3 });
    expect(await lookupSize()).toEqual({ postcodes: 50_000, subIcbs: 7, file: 'areas-50k.csv' });
    const [{ deciles }] = await t.dataSource.query('SELECT count(DISTINCT imd_decile)::int AS deciles FROM area_postcodes');
    expect(deciles).toBe(10);
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
