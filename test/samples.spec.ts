import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSampleFile } from '../bench/sample-file-generator';
import { SampleFilesService } from '../src/samples/sample-files.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import type { SampleFileReport } from '../src/samples/sample-report';
import { parseReference } from '../src/samples/survey-reference';
import { resetDatabase, startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { csvFile, patientRow, Row, tmp, xlsxFile } from './support/sample-files';

describe('sample intake', () => {
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
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Hospitals NHS Trust', icb: 'QXX' }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RYY', name: 'Another NHS Trust' }).expect(201);
  });

  const importRows = async (rows: Row[], trust = 'RXX', name = 'sample.csv'): Promise<SampleFileReport> => {
    const fileId = await importer.import({ surveyCode: 'CPES-2026', trustCode: trust, path: csvFile(name, rows), fileName: name, uploadedBy: 'test' });
    return files.report(fileId);
  };
  const patients = (trust = 'RXX'): Promise<any[]> => t.dataSource.query(
    `SELECT p.* FROM patients p WHERE trust_code = $1 ORDER BY row_number`, [trust]);

  it('samples eligible rows and stores them normalised, with a reference and an access code each', async () => {
    const report = await importRows([
      patientRow(1, { first_name: 'Łukasz', surname: 'Wiśniewski', nhs_number: '999 000 0018', postcode: 'ls1 4ab' }),
      patientRow(2, { first_name: 'Nguyễn Thị', surname: 'Ánh', address_1: '12, "Rose Cottage"', address_2: 'Line\nBreak Lane', discharge_date: '03/05/2026' }),
      patientRow(3, { surname: "O'Neill", icd10: 'C509' }),
    ]);
    expect(report).toMatchObject({ status: 'accepted', rejection: null, current: true, rowsRead: 3, rowsRejected: 0, sampled: 3, rejectedRows: [] });
    const stored = await patients();
    expect(stored.map((p) => [p.first_name, p.surname])).toEqual([['Łukasz', 'Wiśniewski'], ['Nguyễn Thị', 'Ánh'], ['Testy', "O'Neill"]]);
    expect(stored[0]).toMatchObject({ nhs_number: '9990000018', postcode: 'LS1 4AB', row_number: 2 });
    expect(stored[1].address).toEqual(['12, "Rose Cottage"', 'Line, Break Lane']);
    expect(stored[1].discharge_date).toEqual(new Date('2026-05-03T00:00:00'));
    expect(stored[2].icd10).toBe('C50.9');
    for (const p of stored) {
      expect(parseReference(p.survey_reference)).toMatchObject({ ok: true, trustCode: 'RXX' });
      expect(p.access_code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    }
    expect(new Set(stored.map((p) => p.access_code)).size).toBe(3);
    const [survey] = await t.dataSource.query(`SELECT status FROM surveys`);
    expect(survey.status).toBe('sampling');
  });

  it('reports rejected rows by spreadsheet row number, column and message, and counts each exclusion', async () => {
    await t.dataSource.query(`INSERT INTO survey_deaths (survey_id, nhs_number, source) SELECT id, $1, 'test' FROM surveys`, [patientRow(7).nhs_number]);
    const rows = [
      patientRow(1),
      patientRow(2, { nhs_number: '9990000017' }),                  // row 3: rejected
      patientRow(3, { date_of_birth: '2015-01-01' }),              // under_16
      patientRow(4, { discharge_date: '2026-07-01' }),             // outside_period
      patientRow(5, { icd10: 'I21.0' }),                           // not_cancer
      patientRow(6, { nhs_funded: 'N' }),                          // private_patient
      patientRow(8, { postcode: 'ZZ99 3VZ' }),                     // no_address
      patientRow(7),                                               // deceased
      patientRow(9, { nhs_number: patientRow(1).nhs_number, admission_date: '2026-04-20' }), // duplicate of row 2
      patientRow(10, { email: 'nope' }),                           // sampled, with a warning
      ...Array.from({ length: 10 }, (_, i) => patientRow(20 + i)),
    ];
    const report = await importRows(rows);
    expect(report).toMatchObject({
      status: 'accepted', rowsRead: 20, rowsRejected: 1, sampled: 12,
      excluded: { under_16: 1, over_15: 0, outside_period: 1, not_cancer: 1, private_patient: 1, no_address: 1, deceased: 1, duplicate: 1 },
      rejectedRows: [{ row: 3, column: 'nhs_number', message: 'nhs_number is not a valid NHS number (10 digits with a correct check digit)' }],
      warnings: [{ row: 11, column: 'email', message: 'email is not an e-mail address; it was ignored' }],
    });
    expect((await patients()).map((p) => p.patient_record_number)).not.toContain('PRN9');
  });

  describe('duplicates', () => {
    const nhs = patientRow(1).nhs_number;
    it('keeps the row with the latest discharge', async () => {
      await importRows([
        patientRow(1, { discharge_date: '2026-05-02' }),
        patientRow(2, { nhs_number: nhs, discharge_date: '2026-06-10', admission_date: '2026-06-01' }),
      ]);
      expect((await patients()).map((p) => p.patient_record_number)).toEqual(['PRN2']);
    });
    it('then the latest admission', async () => {
      await importRows([
        patientRow(1, { admission_date: '2026-05-01' }),
        patientRow(2, { nhs_number: nhs, admission_date: '2026-04-28' }),
        patientRow(3, { nhs_number: nhs, admission_date: '2026-05-02' }),
      ]);
      expect((await patients()).map((p) => p.patient_record_number)).toEqual(['PRN3']);
    });
    it('then the earlier row', async () => {
      const report = await importRows([patientRow(1), patientRow(2, { nhs_number: nhs }), patientRow(3, { nhs_number: nhs })]);
      expect((await patients()).map((p) => p.patient_record_number)).toEqual(['PRN1']);
      expect(report.excluded.duplicate).toBe(2);
    });
    it('only among eligible rows: an excluded row does not knock out an eligible one', async () => {
      await importRows([patientRow(1), patientRow(2, { nhs_number: nhs, discharge_date: '2026-06-20', nhs_funded: 'N' })]);
      expect((await patients()).map((p) => p.patient_record_number)).toEqual(['PRN1']);
    });
    it('rejects a repeated patient record number', async () => {
      const report = await importRows([patientRow(1), patientRow(2, { patient_record_number: 'PRN1' }), ...[3, 4, 5, 6, 7].map((n) => patientRow(n))]);
      expect(report.rejectedRows).toEqual([{ row: 3, column: 'patient_record_number', message: 'patient_record_number repeats row 2; each row needs its own' }]);
    });
  });

  describe('whole-file rejection', () => {
    it('rejects a file missing a required column, storing the report and no patient', async () => {
      const path = csvFile('no-postcode.csv', [patientRow(1)], Object.keys(patientRow(1)).filter((c) => c !== 'postcode' && c !== 'sex'));
      const fileId = await importer.import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'no-postcode.csv', uploadedBy: 'test' });
      expect(await files.report(fileId)).toMatchObject({
        status: 'rejected', rejection: 'The header row is not usable: required columns missing: postcode, sex', sampled: 0,
      });
      expect(await patients()).toEqual([]);
    });

    it('rejects a file with more than the allowed share of rejected rows, leaving the previous sample untouched', async () => {
      const first = await importRows([patientRow(1), patientRow(2), patientRow(3)], 'RXX', 'first.csv');
      const before = await patients();
      const bad = [patientRow(11), patientRow(12, { sex: 'X' }), patientRow(13, { postcode: '' }), patientRow(14)];
      const second = await importRows(bad, 'RXX', 'second.csv');
      expect(second).toMatchObject({
        status: 'rejected', rowsRead: 4, rowsRejected: 2, sampled: 0, current: false,
        rejection: '2 of 4 rows (50.0%) could not be read, more than the 20% allowed; correct them and upload the file again',
      });
      expect(second.rejectedRows.map((r) => [r.row, r.column])).toEqual([[3, 'sex'], [4, 'postcode']]);
      expect(await patients()).toEqual(before);
      expect((await files.report(first.fileId)).current).toBe(true);
    });

    it('stores nothing at all when the file cannot be parsed part-way, keeping the previous sample', async () => {
      const first = await importRows([patientRow(1), patientRow(2)], 'RXX', 'first.csv');
      const before = await patients();
      const path = join(tmp, 'broken.csv');
      const good = readFileSync(csvFile('tmp.csv', [patientRow(3), patientRow(4)]), 'utf8');
      require('node:fs').writeFileSync(path, `${good}RXX,RXX01,"PRN5 unclosed quote,${patientRow(5).nhs_number}\r\n`);
      await expect(importer.import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'broken.csv', uploadedBy: 'test' }))
        .rejects.toThrow(/The CSV file cannot be read at row 4 .*: Quoted field unterminated/);
      expect(await patients()).toEqual(before);
      const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM sample_files');
      expect(n).toBe(1);
      expect((await files.report(first.fileId)).current).toBe(true);
    });

    it('rejects an empty file and a header-only file', async () => {
      expect((await importRows([], 'RXX', 'header-only.csv')).rejection).toBe('The file has a header row but no patients');
    });
  });

  it('replaces the previous accepted file atomically, never reusing a survey reference', async () => {
    const first = await importRows([patientRow(1), patientRow(2)], 'RXX', 'first.csv');
    const firstRefs = (await patients()).map((p) => p.survey_reference);
    const second = await importRows([patientRow(3), patientRow(4), patientRow(1)], 'RXX', 'second.csv');
    expect(second).toMatchObject({ status: 'accepted', sampled: 3, current: true });
    expect((await files.report(first.fileId)).current).toBe(false);
    const now = await patients();
    expect(now.map((p) => p.patient_record_number)).toEqual(['PRN3', 'PRN4', 'PRN1']);
    expect(now.every((p) => p.sample_file_id === second.fileId)).toBe(true);
    for (const ref of now.map((p) => p.survey_reference)) expect(firstRefs).not.toContain(ref);
  });

  it('rejects rows carrying another trust\'s code, so a trust cannot upload for another trust', async () => {
    const rows = [patientRow(1, { trust_code: 'RYY' }), ...[2, 3, 4, 5, 6].map((n) => patientRow(n))];
    const report = await importRows(rows, 'RXX');
    expect(report.rejectedRows).toEqual([{ row: 2, column: 'trust_code', message: "trust_code is not the uploading trust's code (RXX)" }]);
    expect(await patients('RYY')).toEqual([]);
  });

  it('refuses uploads once the coordinator has locked the sample, changing nothing', async () => {
    await importRows([patientRow(1)]);
    const locked = await t.http().post('/api/surveys/CPES-2026/sample/lock').set(t.auth).expect(201);
    expect(locked.body).toMatchObject({ survey: 'CPES-2026', trusts: 1, patients: 1 });
    const before = await patients();
    await expect(importRows([patientRow(2), patientRow(3)])).rejects.toThrow(/The sample for this survey was locked on \d{1,2} [A-Z][a-z]+ \d{4}: sample files can no longer be uploaded or replaced/);
    expect(await patients()).toEqual(before);
    const again = await t.http().post('/api/surveys/CPES-2026/sample/lock').set(t.auth).expect(409);
    expect(again.body.error.message).toContain('already locked');
  });

  it('reads .xlsx with the same columns, dates and numbers included', async () => {
    const path = await xlsxFile('sample.xlsx', [patientRow(1, { first_name: 'Zofia' }), patientRow(2, { date_of_birth: '1960-02-29' }), patientRow(3, { sex: 'Q' })]);
    const fileId = await importer.import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'sample.xlsx', uploadedBy: 'test' });
    const report = await files.report(fileId);
    expect(report).toMatchObject({ format: 'xlsx', rowsRead: 3, rowsRejected: 1, rejectedRows: [{ row: 4, column: 'sex' }] });
    // 1 of 3 rejected is over 20%: rejected whole, but the rows were read correctly.
    expect(report.status).toBe('rejected');
    const ok = await xlsxFile('ok.xlsx', [patientRow(1, { first_name: 'Zofia' }), patientRow(2, { date_of_birth: '1960-02-29' })]);
    const accepted = await files.report(await importer.import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path: ok, fileName: 'ok.xlsx', uploadedBy: 'test' }));
    expect(accepted).toMatchObject({ status: 'accepted', sampled: 2 });
    const stored = await patients();
    expect(stored.map((p) => p.nhs_number)).toEqual([patientRow(1).nhs_number, patientRow(2).nhs_number]);
    expect(stored[1].date_of_birth).toEqual(new Date('1960-02-29T00:00:00'));
  });

  it('reads an .xlsx whose worksheet comes before the workbook and styles in the zip', async () => {
    // Zip entry order is up to the program that saved the file; this one trips exceljs's
    // streaming reader unless the reader guards for it (a synthetic fixture, two patients).
    const path = join(__dirname, 'fixtures/sheet-before-workbook.xlsx');
    const fileId = await importer.import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'reordered.xlsx', uploadedBy: 'test' });
    expect(await files.report(fileId)).toMatchObject({ status: 'accepted', rowsRead: 2, rowsRejected: 0, sampled: 2 });
    const stored = await patients();
    expect(stored.map((p) => [p.first_name, p.date_of_birth])).toEqual([
      ['Zofia', new Date('1950-03-04T00:00:00')], ['Amara', new Date('1960-02-29T00:00:00')],
    ]);
  });

  describe('over HTTP', () => {
    it('takes a multipart upload and serves the same report as JSON and CSV', async () => {
      const path = csvFile('upload.csv', [patientRow(1), patientRow(2, { postcode: 'nowhere' }), ...[3, 4, 5, 6, 7].map((n) => patientRow(n))]);
      const upload = await t.http().post('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(t.auth).attach('file', path).expect(201);
      expect(upload.body).toMatchObject({ status: 'accepted', fileName: 'upload.csv', rowsRead: 7, rowsRejected: 1, sampled: 6 });
      const url = `/api/surveys/CPES-2026/trusts/RXX/sample-files/${upload.body.fileId}`;
      expect((await t.http().get(url).set(t.auth).expect(200)).body).toEqual(upload.body);
      const csv = await t.http().get(`${url}?format=csv`).set(t.auth).expect(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.text).toBe('row,column,severity,message\r\n3,postcode,rejected,postcode is not a valid UK postcode\r\n');
      // Asked under another trust's address, the report does not exist.
      await t.http().get(`/api/surveys/CPES-2026/trusts/RYY/sample-files/${upload.body.fileId}`).set(t.auth).expect(404);
      const list = await t.http().get('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(t.auth).expect(200);
      expect(list.body.files).toHaveLength(1);
    });

    it('answers a missing file part, an unknown survey and an unknown trust clearly', async () => {
      const missing = await t.http().post('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(t.auth).field('x', 'y').expect(400);
      expect(missing.body.error.message).toBe('Attach the sample file in the multipart field "file"');
      const path = csvFile('x.csv', [patientRow(1)]);
      await t.http().post('/api/surveys/CPES-1999/trusts/RXX/sample-files').set(t.auth).attach('file', path).expect(404);
      const trust = await t.http().post('/api/surveys/CPES-2026/trusts/RZZ/sample-files').set(t.auth).attach('file', path).expect(404);
      expect(trust.body.error.message).toBe('No trust has that code: check the trust code');
    });

    it('refuses an old binary .xls file with what to do instead', async () => {
      const path = join(tmp, 'old.xls');
      require('node:fs').writeFileSync(path, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]));
      const res = await t.http().post('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(t.auth).attach('file', path).expect(422);
      expect(res.body.error.message).toContain('save it as CSV UTF-8 or as .xlsx');
    });
  });

  it('imports through the CLI with --json, the same report', async () => {
    const path = csvFile('cli.csv', [patientRow(1), patientRow(2)]);
    const run = await cli(['sample:import', '--survey', 'CPES-2026', '--trust', 'RXX', '--file', path, '--json']);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ status: 'accepted', rowsRead: 2, sampled: 2, trust: 'RXX', survey: 'CPES-2026' });
    expect(run.json).toEqual(await files.report(run.json.fileId));
    const status = await cli(['sample:status', '--survey', 'CPES-2026', '--json']);
    expect(status.json.trusts).toEqual([
      expect.objectContaining({ trust: 'RXX', sampled: 2, currentFileId: run.json.fileId }),
      expect.objectContaining({ trust: 'RYY', sampled: 0, currentFileId: null }),
    ]);
  });

  it('imports the generator\'s 150,000-row file with exactly the planted counts', async () => {
    const path = join(tmp, 'national.csv');
    const planted = await generateSampleFile(path, { trustCode: 'RXX', rows: 150_000, seed: 7 });
    if (planted.deceased.length) {
      await t.dataSource.query(
        `INSERT INTO survey_deaths (survey_id, nhs_number, source) SELECT s.id, d, 'test' FROM surveys s, unnest($1::text[]) d`,
        [planted.deceased]);
    }
    const fileId = await importer.import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'national.csv', uploadedBy: 'test' });
    const report = await files.report(fileId);
    expect(report).toMatchObject({
      status: 'accepted', rowsRead: 150_000, rowsRejected: planted.planted.rejected,
      excluded: planted.planted.excluded, sampled: planted.planted.sampled,
    });
    const [{ n, refs, codes }] = await t.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT survey_reference)::int AS refs, count(DISTINCT access_code)::int AS codes FROM patients`);
    expect([n, refs, codes]).toEqual([planted.planted.sampled, planted.planted.sampled, planted.planted.sampled]);
    // A 26 MB file is read in chunks: a name whose bytes straddle two chunks must still come out whole.
    const names: { first_name: string }[] = await t.dataSource.query('SELECT DISTINCT first_name FROM patients ORDER BY 1');
    expect(names.map((r) => r.first_name)).toEqual(expect.arrayContaining(['Łukasz', 'Nguyễn Thị', 'Siobhán', 'Chloé']));
    expect(names).toHaveLength(12);
    expect(readFileSync(path, 'utf8').length).toBeGreaterThan(0);
  }, 120_000);
});
