import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeathsService } from '../src/deaths/deaths.service';
import { SampleFilesService } from '../src/samples/sample-files.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import { resetDatabase, startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { csvFile, patientRow, tmp } from './support/sample-files';

const spaced = (nhs: string) => `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`;

describe('deceased checks (trace responses)', () => {
  let t: TestApp;
  let deaths: DeathsService;

  const trace = (name: string, lines: string[]) => {
    const path = join(tmp, name);
    writeFileSync(path, ['NHS_Number,Date_Of_Death,surname', ...lines].join('\r\n') + '\r\n');
    return path;
  };
  const deceasedList = (): Promise<{ nhs_number: string; date_of_death: string }[]> => t.dataSource.query(
    `SELECT nhs_number, date_of_death::text FROM survey_deaths ORDER BY nhs_number`);

  beforeAll(async () => {
    t = await startApp();
    deaths = t.app.get(DeathsService);
  });
  afterAll(() => t.app.close());
  beforeEach(async () => {
    await resetDatabase(t.dataSource);
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Hospitals NHS Trust' }).expect(201);
    const path = csvFile('deaths-sample.csv', [1, 2, 3].map((n) => patientRow(n)));
    await t.app.get(SampleImportService).import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'deaths-sample.csv', uploadedBy: 'test' });
  });

  it('puts the traced deaths on the deceased list and counts the sampled patients among them', async () => {
    const summary = await deaths.import('CPES-2026', trace('trace.csv', [
      `${patientRow(2).nhs_number},2026-08-01,Synthetic`,
      `${spaced(patientRow(900).nhs_number)},01/08/2026,Not sampled`, // someone not in the sample
    ]), 'trace.csv', 'test');
    expect(summary).toMatchObject({ survey: 'CPES-2026', rowsRead: 2, deaths: 2, newDeaths: 2, matchedPatients: 1 });
    expect(await deceasedList()).toEqual([
      { nhs_number: patientRow(900).nhs_number, date_of_death: '2026-08-01' },
      { nhs_number: patientRow(2).nhs_number, date_of_death: '2026-08-01' },
    ].sort((a, b) => (a.nhs_number < b.nhs_number ? -1 : 1)));
  });

  it('records a new check on re-import without adding or moving anyone', async () => {
    const path = trace('again.csv', [`${patientRow(1).nhs_number},2026-08-01,x`]);
    await deaths.import('CPES-2026', path, 'again.csv', 'test');
    writeFileSync(path, `nhs_number,date_of_death\r\n${patientRow(1).nhs_number},2026-09-09\r\n`);
    const second = await deaths.import('CPES-2026', path, 'again.csv', 'test');
    expect(second).toMatchObject({ deaths: 1, newDeaths: 0, matchedPatients: 1 });
    expect(await deceasedList()).toEqual([{ nhs_number: patientRow(1).nhs_number, date_of_death: '2026-08-01' }]);
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM deceased_checks');
    expect(n).toBe(2);
  });

  it('refuses a file with any bad row, naming row and column, and stores nothing', async () => {
    const path = trace('bad.csv', [
      `${patientRow(1).nhs_number},2026-08-01,ok`,
      '9990000017,2026-08-01,bad check digit',
      `${patientRow(3).nhs_number},31/02/2026,impossible date`,
    ]);
    const run = await cli(['deaths:import', '--survey', 'CPES-2026', '--file', path, '--json']);
    expect(run.code).toBe(1);
    expect(run.json.error).toMatchObject({
      code: 'file_rejected',
      message: '2 problems found in the file; nothing was imported. Correct the file and import it again.',
      details: [
        { where: 'row 3, nhs_number', message: 'not a valid NHS number (10 digits with a correct check digit)' },
        { where: 'row 4, date_of_death', message: 'must be a real date written YYYY-MM-DD or DD/MM/YYYY' },
      ],
    });
    expect(await deceasedList()).toEqual([]);
    expect(await t.dataSource.query('SELECT 1 FROM deceased_checks')).toEqual([]);
  });

  it('imports through the CLI with --json, and a later sample file leaves the dead out', async () => {
    const run = await cli(['deaths:import', '--survey', 'CPES-2026', '--file', trace('cli.csv', [`${patientRow(5).nhs_number},2026-07-15,x`]), '--json']);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ deaths: 1, newDeaths: 1, matchedPatients: 0, checkedAt: expect.any(String) });
    const path = csvFile('with-dead.csv', [4, 5, 6].map((n) => patientRow(n)));
    const fileId = await t.app.get(SampleImportService).import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'with-dead.csv', uploadedBy: 'test' });
    const report = await t.app.get(SampleFilesService).report(fileId);
    expect(report).toMatchObject({ sampled: 2, excluded: expect.objectContaining({ deceased: 1 }) });
  });

  it('refuses a file without the two columns', async () => {
    const path = join(tmp, 'cols.csv');
    writeFileSync(path, 'nhs,died\r\n9990000018,2026-08-01\r\n');
    await expect(deaths.import('CPES-2026', path, 'cols.csv', 'test')).rejects.toThrow('The file lacks the required columns nhs_number, date_of_death');
  });
});
