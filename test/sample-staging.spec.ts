import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SampleFilesService } from '../src/samples/sample-files.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import { resetDatabase, startApp, TestApp } from './support/app';
import { COLUMNS, csvFile, patientRow, tmp } from './support/sample-files';

/** The staging table behind sample:import: per-import rows, gone by commit, and imports side by side. */
describe('sample import staging', () => {
  let t: TestApp;
  let importer: SampleImportService;
  let files: SampleFilesService;

  beforeAll(async () => {
    t = await startApp();
    importer = t.app.get(SampleImportService);
    files = t.app.get(SampleFilesService);
  });
  afterAll(() => t.app.close());

  beforeEach(async () => {
    await resetDatabase(t.dataSource);
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    for (const code of ['RXX', 'RYY']) await t.http().post('/api/trusts').set(t.auth).send({ code, name: `${code} NHS Trust` }).expect(201);
  });

  const upload = (trustCode: string, path: string) =>
    importer.import({ surveyCode: 'CPES-2026', trustCode, path, fileName: 'sample.csv', uploadedBy: 'test' });
  const staged = async () => (await t.dataSource.query('SELECT count(*)::int AS n FROM sample_import_rows'))[0].n;

  it('leaves no staged row behind, whether the file is accepted or rejected', async () => {
    await upload('RXX', csvFile('ok.csv', [patientRow(1), patientRow(2), patientRow(3, { email: 'nope' })]));
    expect(await staged()).toBe(0);
    const rejected = await files.report(await upload('RXX', csvFile('bad.csv', [patientRow(4), patientRow(5, { sex: 'X' })])));
    expect(rejected).toMatchObject({ status: 'rejected', rowsRejected: 1, rejectedRows: [{ row: 3, column: 'sex' }] });
    expect(await staged()).toBe(0);
  });

  it('keeps two trusts importing at once apart', async () => {
    const rows = (trust: string, from: number) => Array.from({ length: 300 }, (_, i) => patientRow(from + i, { trust_code: trust }));
    const [a, b] = await Promise.all([
      upload('RXX', csvFile('rxx.csv', [...rows('RXX', 1), patientRow(1, { trust_code: 'RXX', patient_record_number: 'PRN-A' })])),
      upload('RYY', csvFile('ryy.csv', [...rows('RYY', 1001), patientRow(1001, { trust_code: 'RYY', patient_record_number: 'PRN-B', discharge_date: '2026-06-01' })])),
    ]);
    expect(await files.report(a)).toMatchObject({ status: 'accepted', rowsRead: 301, sampled: 300, excluded: { duplicate: 1 } });
    expect(await files.report(b)).toMatchObject({ status: 'accepted', rowsRead: 301, sampled: 300, excluded: { duplicate: 1 } });
    const counts = await t.dataSource.query(
      `SELECT trust_code, count(*)::int AS n, count(DISTINCT survey_reference)::int AS refs FROM patients GROUP BY 1 ORDER BY 1`);
    expect(counts).toEqual([{ trust_code: 'RXX', n: 300, refs: 300 }, { trust_code: 'RYY', n: 300, refs: 300 }]);
    // RYY's later discharge wins its duplicate: the row kept is the file's last one.
    const [kept] = await t.dataSource.query(`SELECT row_number FROM patients WHERE trust_code = 'RYY' AND nhs_number = $1`, [patientRow(1001).nhs_number]);
    expect(kept.row_number).toBe(302);
    expect(await staged()).toBe(0);
  });

  it('counts a repeated record number toward the problems limit from the next row on, as the report lists them', async () => {
    // Every row: one warning (e-mail) and, from the second row on, a repeat of row 2's record number.
    // Problems by row r: (r − 1) warnings + (r − 3) repeats of earlier rows, past 300,000 first at row 150,003.
    const row = COLUMNS.map((c) => patientRow(1, { email: 'nope' })[c]).join(',');
    const path = join(tmp, 'repeats-and-warnings.csv');
    writeFileSync(path, `${COLUMNS.join(',')}\r\n${`${row}\r\n`.repeat(150_010)}`);
    await expect(upload('RXX', path)).rejects.toMatchObject({
      code: 'file_rejected', message: expect.stringContaining('it has more than 300,000 problems in its rows (by row 150003)'),
    });
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM sample_files');
    expect([n, await staged()]).toEqual([0, 0]);
  }, 180_000);
});
