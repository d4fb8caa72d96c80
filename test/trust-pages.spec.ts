import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticNhsNumber } from '../bench/sample-file-generator';
import { AreaLookupService } from '../src/areas/area-lookup.service';
import { SAMPLE_COLUMNS } from '../src/samples/sample-columns';
import { EXCLUSION_SENTENCES, readmeColumnTable } from '../src/samples/sample-format';
import { mapHeader } from '../src/samples/sample-columns';
import { readSampleRow } from '../src/samples/sample-row';
import { resetDatabase, startApp, TestApp } from './support/app';
import { areaFile, areaRow } from './support/area-files';
import { traceDeaths } from './support/mailing-survey';
import { csvFile, patientRow, tmp } from './support/sample-files';
import { generateSampleFile } from '../bench/sample-file-generator';
import { SampleImportService } from '../src/samples/sample-import.service';

async function auditWritten(t: TestApp, action: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM audit_log WHERE action = $1', [action]);
    if (n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${action} entry in the audit log`);
}

/** What a trust reads about its sample: the file format, the template, excluded rows, and rates. */
describe('trust pages: sample format, excluded rows and response rates', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startApp(); });
  afterAll(async () => { await t.app.close(); });

  const COLUMNS = Object.keys(SAMPLE_COLUMNS);

  async function survey(icb?: string): Promise<void> {
    await resetDatabase(t.dataSource);
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Hospitals NHS Trust', ...(icb ? { icb } : {}) }).expect(201);
  }

  async function upload(rows: Record<string, string>[], name = 'sample.csv'): Promise<string> {
    const res = await t.http().post('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(t.auth).attach('file', csvFile(name, rows)).expect(201);
    return res.body.fileId;
  }

  it('serves every column the reader accepts, whether it is required, its format and the exclusion reasons in order', async () => {
    const html = (await t.http().get('/trust/sample-format').set(t.auth).expect(200)).text;
    const listed = [...html.matchAll(/data-column="([a-z0-9_]+)"/g)].map((m) => m[1]);
    expect(listed).toEqual(COLUMNS);
    for (const [column, required] of Object.entries(SAMPLE_COLUMNS)) {
      expect(html).toMatch(new RegExp(`data-column="${column}"><td[^>]*><code>${column}</code></td>\\s*<td[^>]*>${required ? 'Yes' : 'No'}</td>`));
    }
    const ordered = Object.values(EXCLUSION_SENTENCES).map((s) => html.indexOf(s.replace(/'/g, '&#39;')));
    expect(ordered.every((i) => i > 0)).toBe(true);
    expect([...ordered].sort((a, b) => a - b)).toEqual(ordered);
    expect(html).toContain('href="/trust/sample-template.csv"');
  });

  it('offers a CSV template whose header is every column, with one synthetic row the reader accepts', async () => {
    const res = await t.http().get('/trust/sample-template.csv').set(t.auth).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain('sample-file-template.csv');
    const lines = res.text.split('\r\n');
    expect(lines[0]).toBe(COLUMNS.join(','));
    expect(lines.slice(2)).toEqual(['']);
    const cells = lines[1].split(',');
    const verdict = readSampleRow(cells, 2, mapHeader(lines[0].split(',')), {
      trustCode: 'RXX', periodStart: '2026-04-01', periodEnd: '2026-06-30', minimumAge: 16, inScope: () => true,
    });
    expect(verdict).toMatchObject({ kind: 'read', exclusion: null, warnings: [] });
  });

  it("keeps the README's column table exactly as the service describes the columns", () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(readmeColumnTable());
  });

  it('lists each excluded row by row and record number with its reason, on the page and as CSV, naming no patient', async () => {
    await survey();
    const dead = syntheticNhsNumber(8);
    await traceDeaths(t, [dead]);
    const child = { first_name: 'Zebediah', surname: 'Quorndonfairweather', address_1: '77 Unmistakable Lane', postcode: 'LS2 9JT', date_of_birth: '2015-02-03' };
    const rows = [
      patientRow(1), // row 2: sampled
      patientRow(2, child), // row 3
      patientRow(3, { admission_date: '2026-08-01', discharge_date: '2026-08-02' }), // row 4
      patientRow(4, { icd10: 'J45' }), // row 5
      patientRow(5, { nhs_funded: 'N' }), // row 6
      patientRow(6, { address_2: '' }), // row 7
      patientRow(8, { nhs_number: dead }), // row 8
      patientRow(9, { nhs_number: syntheticNhsNumber(1), admission_date: '2026-04-30', discharge_date: '2026-05-01' }), // row 9: row 2 is later
      patientRow(10, { nhs_number: '9990000017' }), // row 10: rejected, not excluded
      patientRow(12), // row 11: beaten by row 12, stored first and then displaced
      patientRow(13, { nhs_number: syntheticNhsNumber(12), discharge_date: '2026-05-20' }), // row 12
    ];
    const fileId = await upload(rows);
    const report = (await t.http().get(`/api/surveys/CPES-2026/trusts/RXX/sample-files/${fileId}`).set(t.auth).expect(200)).body;
    expect(report.excluded).toEqual({ under_16: 1, over_15: 0, outside_period: 1, not_cancer: 1, private_patient: 1, no_address: 1, deceased: 1, duplicate: 2 });

    const csv = await t.http().get(`/trust/files/${fileId}/excluded-rows.csv?survey=CPES-2026&trust=RXX`).set(t.auth).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')).toEqual([
      'row,patient_record_number,reason,explanation',
      `3,PRN2,under_16,${EXCLUSION_SENTENCES.under_16}`,
      `4,PRN3,outside_period,${EXCLUSION_SENTENCES.outside_period}`,
      `5,PRN4,not_cancer,${EXCLUSION_SENTENCES.not_cancer}`,
      `6,PRN5,private_patient,"${EXCLUSION_SENTENCES.private_patient}"`,
      `7,PRN6,no_address,${EXCLUSION_SENTENCES.no_address}`,
      `8,PRN8,deceased,${EXCLUSION_SENTENCES.deceased}`,
      `9,PRN9,duplicate,"${EXCLUSION_SENTENCES.duplicate}"`,
      `11,PRN12,duplicate,"${EXCLUSION_SENTENCES.duplicate}"`,
      '',
    ]);
    const page = (await t.http().get(`/trust/files/${fileId}?survey=CPES-2026&trust=RXX`).set(t.auth).expect(200)).text;
    expect(page).toContain('Excluded: the patient was under 16 at discharge.');
    expect(page).toMatch(/<td class="nhsuk-table__cell">3<\/td><td class="nhsuk-table__cell">PRN2<\/td>/);
    const spaced = syntheticNhsNumber(2).replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3');
    for (const identifier of ['Zebediah', 'Quorndonfairweather', 'Unmistakable', 'LS2 9JT', '2015-02-03', '3 February 2015', syntheticNhsNumber(2), spaced, dead]) {
      expect(csv.text).not.toContain(identifier);
      expect(page).not.toContain(identifier);
    }
    // Another trust's view of the same file finds nothing.
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RYY', name: 'Other Hospitals NHS Trust' }).expect(201);
    await t.http().get(`/trust/files/${fileId}/excluded-rows.csv?survey=CPES-2026&trust=RYY`).set(t.auth).expect(404);
  });

  it("lists exactly as many excluded rows per reason as the importer counted, on a generated file with every kind", async () => {
    await survey();
    const path = join(tmp, 'generated.csv');
    const generated = await generateSampleFile(path, { trustCode: 'RXX', rows: 20_000, seed: 19 });
    await traceDeaths(t, generated.deceased);
    const fileId = await t.app.get(SampleImportService).import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'generated.csv', uploadedBy: 'test' });
    const [{ excluded }] = await t.dataSource.query('SELECT excluded FROM sample_files WHERE id = $1', [fileId]);
    const listed: { reason: string; n: number }[] = await t.dataSource.query(
      'SELECT reason, count(*)::int AS n FROM sample_file_exclusions WHERE sample_file_id = $1 GROUP BY reason', [fileId]);
    expect(Object.fromEntries(listed.map((r) => [r.reason, r.n]))).toEqual(Object.fromEntries(Object.entries(excluded).filter(([, n]) => n)));
    expect(excluded).toEqual(generated.planted.excluded);
  }, 120_000);

  it('lists no excluded rows for a rejected file, which stored no sample', async () => {
    await survey();
    const fileId = await upload([patientRow(1, { date_of_birth: '2015-01-01' }), patientRow(2, { nhs_number: '9990000017' })]);
    const page = (await t.http().get(`/trust/files/${fileId}?survey=CPES-2026&trust=RXX`).set(t.auth).expect(200)).text;
    expect(page).toContain('File rejected');
    expect(page).not.toContain('id="excluded-rows"');
    const csv = await t.http().get(`/trust/files/${fileId}/excluded-rows.csv?survey=CPES-2026&trust=RXX`).set(t.auth).expect(200);
    expect(csv.text).toBe('row,patient_record_number,reason,explanation\r\n');
  });

  it('shows the response rate as "–" until the first mailing has gone, and explains the adjusted rate', async () => {
    await survey();
    await upload([patientRow(1), patientRow(2)]);
    const rateCells = (html: string) => [...html.matchAll(/<th scope="row" class="nhsuk-table__header">([^<]+)<\/th>(?:<td class="nhsuk-table__cell">[^<]*<\/td>\s*)*?<td class="nhsuk-table__cell">([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2]]);
    const before = (await t.http().get('/trust?survey=CPES-2026&trust=RXX').set(t.auth).expect(200)).text;
    expect(rateCells(before)).toEqual([['Example Hospitals NHS Trust', '–'], ['England', '–']]);
    expect(before).not.toContain('0%');
    expect(before).toContain('What the adjusted rate means');
    expect(before).toMatch(/undelivered[^<]*\(outcome 2\)/);
    const reports = (await t.http().get('/coordinator/CPES-2026/reports').set(t.auth).expect(200)).text;
    expect(reports).not.toContain('0%');
    expect(reports).toContain('What the adjusted rate means');

    // The first e-mail goes: from then on the rate is a percentage (0% until someone responds).
    const [{ id: surveyId }] = await t.dataSource.query(`SELECT id FROM surveys WHERE code = 'CPES-2026'`);
    await t.dataSource.query(`INSERT INTO mailing_steps (survey_id, step, launched_by, scheduled_for) VALUES ($1, 'initial', 'test', now())`, [surveyId]);
    await t.dataSource.query(
      `INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, status, completed_at)
       SELECT survey_id, id, trust_code, 'initial', 'email', 'sent', now() FROM patients ORDER BY id LIMIT 1`);
    const after = (await t.http().get('/trust?survey=CPES-2026&trust=RXX').set(t.auth).expect(200)).text;
    expect(rateCells(after)).toEqual([['Example Hospitals NHS Trust', '0%'], ['England', '0%']]);
  });

  it('names ICBs on the coordinator reports and trusts pages from the area lookup, not by their codes alone', async () => {
    await survey('QWO');
    await t.app.get(AreaLookupService).import(areaFile('areas.csv', [areaRow('LS1 4AB', 3, '15F', 'QWO')]), 'areas.csv', 'test');
    await upload([patientRow(1)]);
    const reports = (await t.http().get('/coordinator/CPES-2026/reports').set(t.auth).expect(200)).text;
    expect(reports).toContain('<th scope="row" class="nhsuk-table__header">Synthetic QWO Integrated Care Board</th>');
    expect(reports).not.toContain('<th scope="row" class="nhsuk-table__header">QWO</th>');
    const trusts = (await t.http().get('/coordinator/trusts').set(t.auth).expect(200)).text;
    expect(trusts).toContain('<td class="nhsuk-table__cell">Synthetic QWO Integrated Care Board (QWO)</td>');
    await auditWritten(t, 'report.response-rates'); // written just after the page is sent: wait before the app closes
  });
});
