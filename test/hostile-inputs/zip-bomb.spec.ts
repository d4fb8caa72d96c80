import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../src/auth/roles';
import { AppConfig } from '../../src/infra/config/app-config';
import { SampleImportService } from '../../src/samples/sample-import.service';
import { UsersService } from '../../src/users/users.service';
import { resetDatabase, startApp, TestApp } from '../support/app';
import { cli } from '../support/cli';
import { BOMB_ROW, HEADER_ROW, part, repeatedPart, SHEET_HEAD, SHEET_TAIL, workbookParts, writeZip } from '../support/hostile-zip';
import { COLUMNS, patientRow, tmp, xlsxFile } from '../support/sample-files';

const GB = 1024 ** 3;
const MB = 1024 ** 2;
/** For the tests that inflate or read hundreds of megabytes: a loaded CI machine has taken six times as long as a quiet one. */
const HEAVY = 90_000;

/** Every zip here is generated at test time: a bomb is never committed. */
describe('hostile sample files', () => {
  // The row limit is exercised at a tenth of its default: reading 250,000 rows only to refuse them
  // costs the suite half a minute on a loaded machine and tests nothing more.
  const ROW_LIMIT = 25_000;
  const defaultRowLimit = process.env.SAMPLE_MAX_ROWS;
  let t: TestApp;
  let trustAuth: Record<string, string>;
  const upload = (path: string) => t.http().post('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(trustAuth).attach('file', path);
  const importFile = (path: string) => t.app.get(SampleImportService).import({
    surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'hostile', uploadedBy: 'test',
  });
  const stored = async () => {
    const [row] = await t.dataSource.query(
      `SELECT (SELECT count(*) FROM sample_files)::int AS files, (SELECT count(*) FROM patients)::int AS patients`);
    return row;
  };
  /** The largest RSS seen (sampled every 10 ms) while `work` runs, above what it was before. */
  const rssGrowth = async <T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
    try {
      const result = await work();
      peak = Math.max(peak, process.memoryUsage().rss);
      return { result, growthMb: (peak - before) / MB };
    } finally {
      clearInterval(timer);
    }
  };

  // A sheet whose XML inflates to over 1 GB, from ~4 MB on the wire.
  const bombSheet = (declaredSize?: number) => repeatedPart('xl/worksheets/sheet1.xml', SHEET_HEAD + HEADER_ROW, BOMB_ROW, GB + MB, SHEET_TAIL, declaredSize);

  beforeAll(async () => {
    process.env.SAMPLE_MAX_ROWS = String(ROW_LIMIT);
    t = await startApp();
    await resetDatabase(t.dataSource);
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Hospitals NHS Trust' }).expect(201);
    const users = t.app.get(UsersService);
    const { user } = await users.add({ email: 'trust@example.invalid', role: 'trust' as Role, trustCode: 'RXX' }, 'test');
    trustAuth = { Authorization: `Bearer ${(await users.createToken(user.id, 'tests')).token}` };
  });
  afterAll(async () => {
    await t.app.close();
    if (defaultRowLimit === undefined) delete process.env.SAMPLE_MAX_ROWS; else process.env.SAMPLE_MAX_ROWS = defaultRowLimit;
  });
  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM sample_file_problems');
    await t.dataSource.query('DELETE FROM patients');
    await t.dataSource.query('DELETE FROM sample_files');
  });

  it('refuses an .xlsx whose worksheet inflates to over 1 GB with a 422, stores nothing, and keeps serving', async () => {
    const sheet = bombSheet();
    expect(sheet.declaredSize).toBeGreaterThanOrEqual(GB);
    const path = writeZip('bomb.xlsx', [...workbookParts(), sheet]);

    const { result: res, growthMb } = await rssGrowth(() => upload(path));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'file_rejected', details: [{ where: 'file', message: expect.any(String) }] });
    expect(res.body.error.message).toMatch(/^The \.xlsx file cannot be accepted: .*(compressed more than|unpacks to more than)/);
    expect(res.body.error.message).toContain('CSV UTF-8');
    expect(growthMb).toBeLessThan(300);
    expect(await stored()).toEqual({ files: 0, patients: 0 });

    await t.http().get('/health').expect(200);
    const good = await xlsxFile('good-after-bomb.xlsx', [patientRow(1), patientRow(2)]);
    const ok = await upload(good).expect(201);
    expect(ok.body).toMatchObject({ status: 'accepted', sampled: 2 });
  });

  it('refuses a zip whose index understates what a part inflates to, counting the bytes really inflated', async () => {
    // The index claims 50 KB at a modest ratio; the data is the 1 GB bomb.
    const path = writeZip('lying.xlsx', [...workbookParts(), bombSheet(50 * 1024)]);
    const { result: res, growthMb } = await rssGrowth(() => upload(path));
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain("its worksheet unpacks to more than the zip's own index says");
    expect(growthMb).toBeLessThan(300);
    expect(await stored()).toEqual({ files: 0, patients: 0 });
    await t.http().get('/health').expect(200);
  });

  it('refuses a shared strings table with more texts than any sample has', async () => {
    // 2.15 million distinct strings: compresses only ~6×, so no size or ratio limit stops it first.
    const unit = Array.from({ length: 50_000 }, (_, i) => `<si><t>${i}</t></si>`).join('');
    const strings = repeatedPart('xl/sharedStrings.xml', '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', unit, 43 * unit.length, '</sst>');
    const sheet = part('xl/worksheets/sheet1.xml', `${SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c></row>${SHEET_TAIL}`);
    const path = writeZip('strings.xlsx', [...workbookParts(), strings, sheet]);
    const { result: res, growthMb } = await rssGrowth(() => upload(path));
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('its shared strings table holds more than 2,000,000 texts');
    expect(growthMb).toBeLessThan(300);
    expect(await stored()).toEqual({ files: 0, patients: 0 });
  }, HEAVY);

  it('refuses a zip of more parts than any workbook has, before reading them', async () => {
    const many = Array.from({ length: 1_001 }, (_, i) => part(`xl/media/image${i}.png`, ''));
    const path = writeZip('many.xlsx', [...workbookParts(), part('xl/worksheets/sheet1.xml', `${SHEET_HEAD}${SHEET_TAIL}`), ...many]);
    const res = await upload(path).expect(422);
    expect(res.body.error.message).toContain('it holds more than 1,000 parts');
    expect(await stored()).toEqual({ files: 0, patients: 0 });
  });

  it('refuses a worksheet row that never ends, and a cell bigger than Excel allows, without holding them', async () => {
    // Distinct cells compress ~10×: only the per-row limit stops this 17 MB row.
    const cells = Array.from({ length: 40_000 }, (_, i) => `<c r="B2"><v>${i * 7919}</v></c>`).join('');
    const endless = repeatedPart('xl/worksheets/sheet1.xml', `${SHEET_HEAD}<row r="2">`, cells, 17 * MB, `</row>${SHEET_TAIL}`);
    const rowPath = writeZip('endless-row.xlsx', [...workbookParts(), endless]);
    await expect(importFile(rowPath)).rejects.toMatchObject({ code: 'file_rejected', message: expect.stringContaining('a row of its worksheet is larger than 16 MB') });

    const noise = Array.from({ length: 2 * MB / 8 }, () => Math.random().toString(36).slice(2, 10)).join('');
    const huge = part('xl/worksheets/sheet1.xml', `${SHEET_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>${noise}</t></is></c></row>${SHEET_TAIL}`);
    const cellPath = writeZip('huge-cell.xlsx', [...workbookParts(), huge]);
    await expect(importFile(cellPath)).rejects.toMatchObject({ code: 'file_rejected', message: expect.stringContaining('holds a single text or tag longer than 1 MB') });
    expect(await stored()).toEqual({ files: 0, patients: 0 });
  }, HEAVY);

  it('refuses a CSV with an endless line or a quote never closed, without gathering it into memory', async () => {
    const endless = join(tmp, 'endless.csv');
    writeFileSync(endless, `${COLUMNS.join(',')}\r\n${'x'.repeat(5 * MB)}`);
    await expect(importFile(endless)).rejects.toMatchObject({
      code: 'file_rejected', message: expect.stringContaining('The CSV file has a row longer than 65,536 characters'),
    });
    const unclosed = join(tmp, 'unclosed.csv');
    writeFileSync(unclosed, `${COLUMNS.join(',')}\r\n"RXX,${'line\r\n'.repeat(MB)}`);
    await expect(importFile(unclosed)).rejects.toMatchObject({ code: 'file_rejected', message: expect.stringContaining('or a quote that is never closed') });
    expect(await stored()).toEqual({ files: 0, patients: 0 });
  });

  it('refuses a file of more patient rows than any trust sends, storing nothing', async () => {
    // Each row is complete but repeats row 2's record number: one problem a row, so only the row limit stops it.
    const path = join(tmp, 'too-many-rows.csv');
    const row = COLUMNS.map((c) => patientRow(1)[c]).join(',');
    expect(new AppConfig().SAMPLE_MAX_ROWS).toBe(250_000);
    expect(t.app.get(AppConfig).SAMPLE_MAX_ROWS).toBe(ROW_LIMIT);
    writeFileSync(path, `${COLUMNS.join(',')}\r\n${`${row}\r\n`.repeat(ROW_LIMIT + 1)}`);
    await expect(importFile(path)).rejects.toMatchObject({
      code: 'file_rejected', message: 'The file cannot be accepted: it has more than 25,000 patient rows, more than any trust\'s sample; check that it is the right file, then upload it again.',
    });
    expect(await stored()).toEqual({ files: 0, patients: 0 });
  });

  it('refuses a file whose rows hold more problems than a report can list, storing nothing', async () => {
    const path = join(tmp, 'all-wrong.csv');
    writeFileSync(path, `${COLUMNS.join(',')}\r\n${`${COLUMNS.map(() => 'x').join(',')}\r\n`.repeat(60_000)}`);
    await expect(importFile(path)).rejects.toMatchObject({
      code: 'file_rejected', message: expect.stringContaining('it has more than 300,000 problems in its rows'),
    });
    expect(await stored()).toEqual({ files: 0, patients: 0 });
  });

  it('sample:import exits 1 on a zip bomb and says why', async () => {
    const path = writeZip('cli-bomb.xlsx', [...workbookParts(), bombSheet()]);
    const run = await cli(['sample:import', '--survey', 'CPES-2026', '--trust', 'RXX', '--file', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/The \.xlsx file cannot be accepted: .*Save the sample sheet on its own as CSV UTF-8/);
    expect(await stored()).toEqual({ files: 0, patients: 0 });
  });
});
