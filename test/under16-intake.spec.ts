import { SampleFilesService } from '../src/samples/sample-files.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import type { SampleFileReport } from '../src/samples/sample-report';
import { EXCLUSION_SENTENCES } from '../src/samples/sample-format';
import { resetDatabase, startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { csvFile, patientRow, Row } from './support/sample-files';

/**
 * The Under-16 survey's intake: only Principal Treatment Centres send samples, a row aged 16 or
 * over at discharge is excluded `over_15`, and the wider diagnosis scope is read to the
 * subcategory. The adult survey beside it keeps its own rules.
 */
describe('Under-16 intake', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.app.close());

  beforeEach(async () => {
    await resetDatabase(t.dataSource);
    await t.http().post('/api/surveys').set(t.auth)
      .send({ code: 'U16-2026', kind: 'under16', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
  });

  const child = (n: number, changes: Row = {}) => patientRow(n, { date_of_birth: '2016-03-01', icd10: 'C71.0', ...changes });
  const importRows = async (survey: string, rows: Row[], trust = 'RXX'): Promise<SampleFileReport> => {
    const fileId = await t.app.get(SampleImportService).import({
      surveyCode: survey, trustCode: trust, path: csvFile(`${survey}.csv`, rows.map((r) => ({ ...r, trust_code: trust }))), fileName: `${survey}.csv`, uploadedBy: 'test',
    });
    return t.app.get(SampleFilesService).report(fileId);
  };

  describe('Principal Treatment Centres', () => {
    it('trust:add --ptc marks a trust; trust:ptc marks an existing one and --off unmarks it; --json and the API show ptc', async () => {
      const added = await cli(['trust:add', '--code', 'RXX', '--name', 'Example Children’s Hospital NHS Trust', '--ptc', '--json']);
      expect(added.code).toBe(0);
      expect(added.json).toMatchObject({ code: 'RXX', ptc: true });
      const plain = await cli(['trust:add', '--code', 'RYY', '--name', 'Another NHS Trust', '--json']);
      expect(plain.json).toMatchObject({ code: 'RYY', ptc: false });

      const marked = await cli(['trust:ptc', '--trust', 'RYY']);
      expect(marked.code).toBe(0);
      expect(marked.stdout).toContain('Trust RYY Another NHS Trust is now a Principal Treatment Centre.');
      const list = await cli(['trust:list']);
      expect(list.stdout).toMatch(/^RYY\s+PTC\s+Another NHS Trust$/m);
      const off = await cli(['trust:ptc', '--trust', 'RXX', '--off', '--json']);
      expect(off.json).toMatchObject({ code: 'RXX', ptc: false });

      const { body } = await t.http().get('/api/trusts').set(t.auth).expect(200);
      expect(body.trusts.map((x: { code: string; ptc: boolean }) => [x.code, x.ptc])).toEqual([['RXX', false], ['RYY', true]]);
      const viaApi = await t.http().post('/api/trusts/RXX/ptc').set(t.auth).send({ ptc: true }).expect(200);
      expect(viaApi.body).toMatchObject({ code: 'RXX', ptc: true });
      await t.http().post('/api/trusts').set(t.auth).send({ code: 'RZZ', name: 'Third NHS Trust', ptc: true }).expect(201)
        .expect((res) => expect(res.body.ptc).toBe(true));
    });

    it('refuses a bad or unknown trust cleanly', async () => {
      const unknown = await cli(['trust:ptc', '--trust', 'RQQ', '--json']);
      expect(unknown.code).toBe(1);
      expect(unknown.json.error.code).toBe('not_found');
      const bad = await cli(['trust:ptc', '--trust', 'not a code', '--json']);
      expect(bad.code).toBe(1);
      expect(bad.json.error).toMatchObject({ code: 'validation_failed', details: [{ where: '--trust' }] });
      await t.http().post('/api/trusts/RQQ/ptc').set(t.auth).send({ ptc: true }).expect(404);
      await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'X' }).expect(201);
      const notBoolean = await t.http().post('/api/trusts/RXX/ptc').set(t.auth).send({ ptc: 'yes' }).expect(400);
      expect(notBoolean.body.error.details).toEqual([{ where: 'ptc', message: 'ptc must be true or false' }]);
    });

    it('refuses an Under-16 sample from a trust not marked as a PTC, naming the trust and how to mark it, storing nothing', async () => {
      await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Hospitals NHS Trust' }).expect(201);
      const path = csvFile('u16-not-ptc.csv', [child(1)]);
      const refused = await t.http().post('/api/surveys/U16-2026/trusts/RXX/sample-files').set(t.auth).attach('file', path).expect(409);
      expect(refused.body.error.message).toBe('Trust RXX (Example Hospitals NHS Trust) is not marked as a Principal Treatment Centre, and this survey takes '
        + 'samples only from Principal Treatment Centres. If it is one, a coordinator marks it (trust:ptc --trust RXX, or Mark as PTC on the Trusts page); then upload the file again.');
      expect(await t.dataSource.query('SELECT 1 FROM sample_files')).toEqual([]);
      expect(await t.dataSource.query('SELECT 1 FROM patients')).toEqual([]);

      // The adult survey takes the same trust's file; once marked, the Under-16 survey does too.
      expect((await importRows('CPES-2026', [patientRow(1)])).status).toBe('accepted');
      await t.http().post('/api/trusts/RXX/ptc').set(t.auth).send({ ptc: true }).expect(200);
      await t.http().post('/api/surveys/U16-2026/trusts/RXX/sample-files').set(t.auth).attach('file', path).expect(201)
        .expect((res) => expect(res.body).toMatchObject({ status: 'accepted', sampled: 1 }));
    });
  });

  describe('rows', () => {
    beforeEach(async () => {
      await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Children’s Hospital', ptc: true }).expect(201);
    });

    it('excludes a child 16 or over at discharge as over_15, listed with its sentence, and samples every age from 0 to 15', async () => {
      const report = await importRows('U16-2026', [
        child(1, { date_of_birth: '2026-01-10' }),                 // a baby
        child(2, { date_of_birth: '2010-05-02' }),                 // 16 on the day of discharge: over_15
        child(3, { date_of_birth: '2010-05-03' }),                 // 16 the day after: still 15
        child(4, { date_of_birth: '1980-01-01', nhs_funded: 'N' }), // an adult, and private: over_15 comes first
        child(5, { date_of_birth: '2012-01-01', discharge_date: '2026-07-02' }), // outside_period
      ]);
      expect(report).toMatchObject({
        status: 'accepted', rowsRead: 5, rowsRejected: 0, sampled: 2,
        excluded: { under_16: 0, over_15: 2, outside_period: 1, not_cancer: 0, private_patient: 0, no_address: 0, deceased: 0, duplicate: 0 },
      });
      const excluded = await t.http().get(`/trust/files/${report.fileId}/excluded-rows.csv?survey=U16-2026&trust=RXX`).set(t.auth).expect(200);
      expect(excluded.text).toContain(`3,PRN2,over_15,${EXCLUSION_SENTENCES.over_15}`);
      expect(excluded.text).toContain(`5,PRN4,over_15,`);
      const sampled = await t.dataSource.query(`SELECT patient_record_number FROM patients ORDER BY row_number`);
      expect(sampled.map((p: { patient_record_number: string }) => p.patient_record_number)).toEqual(['PRN1', 'PRN3']);
    });

    it('takes the brain and CNS subcategories in scope, and not their neighbours nor a bare category', async () => {
      const codes = ['C71.0', 'D33.2', 'D35.2', 'D35.3', 'D354', 'D44.3', 'D44.5', 'D43', 'D35.1', 'D35', 'D44.2', 'D44.6', 'D36.1', 'D05.1'];
      const report = await importRows('U16-2026', codes.map((icd10, i) => child(i + 1, { icd10 })));
      expect(report.excluded.not_cancer).toBe(6);
      const sampled = await t.dataSource.query(`SELECT icd10 FROM patients ORDER BY row_number`);
      expect(sampled.map((p: { icd10: string }) => p.icd10)).toEqual(['C71.0', 'D33.2', 'D35.2', 'D35.3', 'D35.4', 'D44.3', 'D44.5', 'D43']);
    });

    it('leaves the adult survey as it was: children under_16, adults of any age, D05 in scope, D35.3 not', async () => {
      const report = await importRows('CPES-2026', [
        patientRow(1, { date_of_birth: '2012-01-01' }), patientRow(2, { date_of_birth: '1920-01-01' }),
        patientRow(3, { icd10: 'D05.1' }), patientRow(4, { icd10: 'D35.3' }),
      ]);
      expect(report).toMatchObject({ sampled: 2, excluded: { under_16: 1, over_15: 0, not_cancer: 1 } });
    });
  });
});
