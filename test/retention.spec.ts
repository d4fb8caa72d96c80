import type { TestingModule } from '@nestjs/testing';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { AreaLookupService } from '../src/areas/area-lookup.service';
import { JobQueue } from '../src/infra/queues/job-queue';
import { OnlineFormService } from '../src/responses/online-form.service';
import { ScratchSpace } from '../src/infra/storage/scratch-space';
import { localRoot } from './support/stored';
import { WavesService } from '../src/mailings/waves.service';
import { ReportsService } from '../src/reports/reports.service';
import { SampleImportService } from '../src/samples/sample-import.service';
import { RetentionService } from '../src/retention/retention.service';
import { resetDatabase, startApp, TestApp } from './support/app';
import { areaFile, areaRow } from './support/area-files';
import { cli } from './support/cli';
import { settled, startWorkers, traceDeaths } from './support/mailing-survey';
import { syntheticNhsNumber } from '../bench/sample-file-generator';
import { csvFile, patientRow } from './support/sample-files';

/**
 * Distinctive synthetic identities, so any copy left behind anywhere is found. Used by no other
 * spec (the write-ahead log is the whole server's: another spec running at the same time must
 * not write the same postcode or NHS number into it). ZX is no real postcode area.
 */
const PEOPLE = [
  { first_name: 'Ottoline', surname: 'Quixote-Zebedee', address_1: '17 Marzipan Synthetic Row', postcode: 'ZX1 7QQ', email: 'ottoline.quixote@example.invalid', mobile: '07700900987' },
  { first_name: 'Bartholomew', surname: 'Vanderquill', address_1: '4 Zephyr Synthetic Mews', postcode: 'ZX2 2QQ', email: 'b.vanderquill@example.invalid', mobile: '' },
  { first_name: 'Philippa', surname: 'Xanthoudakis', address_1: '99 Quince Synthetic Lane', postcode: 'ZX3 1QQ', email: '', mobile: '' },
];

/** A comment planting the first patient's identifiers and others' (a son's phone and e-mail, dates), as written. */
const spaced = (nhs: string) => `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`;
const plantedComment = (nhs: string) => `I am OTTOLINE quixote-zebedee of 17 marzipan synthetic row, zx17qq (NHS ${spaced(nhs)}). `
  + 'Ring my son on 01632 960 771 or zoltan.quixote@example.invalid, or me on 07700 900987. Born 14/02/1950; seen on 3rd March by Dr Patel on ward 7, who was kind.';
const REDACTED_COMMENT = 'I am [removed] of [removed], [removed] (NHS [removed]). '
  + 'Ring my son on [removed] or [removed], or me on [removed]. Born [removed]; seen on [removed] by Dr Patel on ward 7, who was kind.';
const PLANTED_DRAFT = 'Draft from Bartholomew VANDERQUILL, 4 zephyr synthetic mews: call 01632 960 772';

describe('end of fieldwork: close and purge', () => {
  let t: TestApp;
  let workers: TestingModule | undefined;
  let identifiers: string[];
  const storageRoot = () => localRoot(t.app);
  /** Every identifiable value still stored, as "table: value", by reading every row of every table as text. */
  const identifiableInDatabase = async () => {
    const tables: { table_name: string }[] = await t.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
    const found = new Set<string>();
    for (const { table_name } of tables) {
      const rows: { row: string }[] = await t.dataSource.query(`SELECT t::text AS row FROM "${table_name}" t`);
      for (const { row } of rows) for (const id of identifiers) if (row.includes(id)) found.add(`${table_name}: ${id}`);
    }
    return [...found];
  };
  const reportsNow = async () => {
    const reports = t.app.get(ReportsService);
    const coordinator = { id: 'test', role: 'coordinator' as const };
    const { generatedAt: _, ...rates } = await reports.responseRates('CPES-2026', coordinator);
    return { rates, overTime: await reports.responsesOverTime('CPES-2026', coordinator), rating: await reports.overallRating('CPES-2026', coordinator) };
  };

  beforeAll(async () => {
    t = await startApp();
    await resetDatabase(t.dataSource);
    // Files other tests in this worker left (another survey's print files, outbox e-mails) are not this survey's to purge.
    for (const dir of ['print', 'outbox', 'tmp']) rmSync(join(localRoot(t.app), dir), { recursive: true, force: true });
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.http().post('/api/surveys').set(t.auth)
      .send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30', settings: { retentionDaysAfterClose: 0, suppressionThreshold: 1 } }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Synthetic NHS Trust' }).expect(201);
    const rows = PEOPLE.map((p, i) => patientRow(i + 1, { ...p, patient_record_number: `MRN-QZ-${9000 + i}`, nhs_number: syntheticNhsNumber(424_242 + i) }));
    // An excluded row: its record number is kept for the trust's report until the purge.
    rows.push(patientRow(PEOPLE.length + 1, { patient_record_number: 'MRN-QZ-EXCLUDED-7', nhs_funded: 'N', nhs_number: syntheticNhsNumber(424_300) }));
    await t.app.get(SampleImportService).import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path: csvFile('purge.csv', rows), fileName: 'purge.csv', uploadedBy: 'test' });
    // The purge keeps the grouping variables derived from the area lookup, and needs them derived first.
    await t.app.get(AreaLookupService).import(areaFile('purge-areas.csv', [areaRow('ZX1 7QQ', 2, '15F', 'QZA', 'E56000091')]), 'areas.csv', 'test');
    await t.http().post('/api/surveys/CPES-2026/sample/lock').set(t.auth).expect(201);
    const patients = await t.dataSource.query('SELECT survey_reference AS ref, access_code, nhs_number FROM patients ORDER BY row_number');
    const comment = plantedComment(rows[0].nhs_number);
    identifiers = [...PEOPLE.flatMap((p) => [p.first_name, p.surname, p.address_1, p.postcode, p.email, p.mobile].filter(Boolean)),
      // As the patients wrote them in their comments: other case and spacing, and other people's.
      comment, PLANTED_DRAFT, 'OTTOLINE', 'quixote-zebedee', 'marzipan synthetic row', 'zx17qq', spaced(rows[0].nhs_number), '01632 960 771',
      'zoltan.quixote@example.invalid', '07700 900987', '14/02/1950', '3rd March', 'VANDERQUILL', 'zephyr synthetic mews', '01632 960 772',
      ...rows.map((r) => r.nhs_number), ...rows.map((r) => r.patient_record_number), ...patients.map((p: { access_code: string }) => p.access_code)];
    await traceDeaths(t, []);

    // Fieldwork: letters printed, e-mails kept in the outbox (no SMTP server), a response with a rating,
    // an address change (the old address goes into the history), a death reported by phone.
    workers = await startWorkers({ SMTP_HOST: '' });
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
    await t.http().post(`/api/online/${patients[0].access_code}/response`).send({ answers: { overall_rating: 9, other_comments: comment } }).expect(201);
    // An online questionnaire left half done, with a comment in it.
    const form = t.app.get(OnlineFormService);
    await form.answer(await form.open(patients[1].access_code, '127.0.0.1'), 56, PLANTED_DRAFT);
    await t.http().post(`/api/surveys/CPES-2026/patients/${patients[1].ref}/contacts`).set(t.auth)
      .send({ type: 'address_change', addressLines: ['2 Elsewhere Synthetic Court', 'Testville'], postcode: 'ZX4 2QQ', caller: 'Ottoline Quixote-Zebedee' }).expect(201);
    identifiers.push('2 Elsewhere Synthetic Court', 'ZX4 2QQ');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    await t.http().post(`/api/surveys/CPES-2026/patients/${patients[2].ref}/contacts`).set(t.auth)
      .send({ type: 'deceased', dateOfDeath: today, notes: 'Philippa Xanthoudakis died at home' }).expect(201);
  });
  afterAll(async () => {
    await workers?.close();
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });

  it('purges only a closed survey past its retention period, and keeps every report figure', async () => {
    const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
    expect(files(storageRoot()).filter((f) => /\.(pdf|eml)$/.test(f)).length).toBeGreaterThanOrEqual(3);
    const before = await reportsNow();
    // The scan below finds what it looks for: before the purge, names, the old address and the death notes are there.
    expect(await identifiableInDatabase()).toEqual(expect.arrayContaining([
      'patients: Quixote-Zebedee', 'sample_file_exclusions: MRN-QZ-EXCLUDED-7', 'patient_events: 4 Zephyr Synthetic Mews', 'patient_events: Xanthoudakis', 'patients: ottoline.quixote@example.invalid',
    ]));
    expect(before.rates.national.outcomes).toMatchObject({ 1: 1, 3: 1, 6: 1 });
    expect(await identifiableInDatabase()).toEqual(expect.arrayContaining(['responses: 01632 960 771', 'response_drafts: 01632 960 772']));
    // Before the purge the export redacts as it reads.
    const comments = await cli(['results:comments', '--survey', 'CPES-2026', '--trust', 'RXX', '--json']);
    expect(comments.json).toEqual({ survey: 'CPES-2026', trust: 'RXX', comments: [{ questionNumber: 56, question: 'Any other comments?', text: REDACTED_COMMENT }] });

    const early = await cli(['survey:purge', '--survey', 'CPES-2026', '--json']);
    expect(early.json.error).toMatchObject({ code: 'invalid_state', message: expect.stringContaining('is not closed') });
    const closed = await cli(['survey:close', '--survey', 'CPES-2026', '--json']);
    expect(closed.json).toMatchObject({ survey: 'CPES-2026', stepsPaused: 1 });
    // With a retention period still running, the purge is refused and says from when it may run.
    const [{ closed_at }] = await t.dataSource.query(`SELECT closed_at FROM surveys`);
    await expect(t.app.get(RetentionService).purge('CPES-2026', new Date(closed_at.getTime() - 1000)))
      .rejects.toMatchObject({ code: 'invalid_state', message: expect.stringMatching(/must be kept until \d{1,2} [A-Z][a-z]+ \d{4}/) });
    // Closed means closed: nothing more comes in.
    await t.http().post(`/api/online/${identifiers.at(-3)}/response`).send({ answers: {} }).expect(404);

    // A read-only snapshot taken before the purge (a report reading other tables, say) still sees
    // the old rows: the rewrite must wait for it to end, or it copies them into the new files.
    // (One that read the purged tables would block the rewrite by its lock anyway.)
    const reader = new Client({ connectionString: process.env.DATABASE_URL });
    await reader.connect();
    await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await reader.query('SELECT count(*) FROM trusts');
    const readerEnds = new Promise((resolve) => setTimeout(resolve, 12_000)).then(() => reader.query('COMMIT')).then(() => reader.end());
    // What crashes left before the close may be this survey's: a render in the scratch folder, an
    // e-mail whose write was cut off. Files written since the close are other surveys' work in
    // progress (nothing of a closed survey is written), which the purge leaves alone.
    const plant = (path: string, text: string, at: Date) => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
      utimesSync(path, at, at);
      return path;
    };
    const beforeClose = new Date(closed_at.getTime() - 60_000);
    const crashed = [
      plant(join(t.app.get(ScratchSpace).dir, 'batch-001-crashed.pdf'), `%PDF- ${identifiers[0]}`, beforeClose),
      plant(join(storageRoot(), 'outbox', 'mailing-1@x.invalid.eml.part-crashed'), `To: ${identifiers[4]}`, beforeClose),
    ];
    const inProgress = [
      plant(join(t.app.get(ScratchSpace).dir, 'batch-001-other-survey.pdf'), '%PDF- another survey', new Date()),
      plant(join(storageRoot(), 'print', 'OTHER-2026', 'batch-001.pdf.part-writing'), '%PDF- another survey', new Date()),
    ];
    const purged = await cli(['survey:purge', '--survey', 'CPES-2026', '--json']);
    await readerEnds;
    for (const path of crashed) expect([path, existsSync(path)]).toEqual([path, false]);
    for (const path of inProgress) {
      expect([path, existsSync(path)]).toEqual([path, true]);
      rmSync(path);
    }
    rmSync(join(storageRoot(), 'print', 'OTHER-2026'), { recursive: true, force: true });
    expect(purged.code).toBe(0);
    expect(purged.json).toMatchObject({ survey: 'CPES-2026', patients: 3, deathsRemoved: 1, commentsRedacted: 1 });
    expect(await reportsNow()).toEqual(before);
    const [patient] = await t.dataSource.query(`SELECT * FROM patients WHERE final_outcome = 1`);
    expect(patient).toMatchObject({ first_name: null, surname: null, nhs_number: null, access_code: null, age_at_discharge: 76, sex: '2', icd10: 'C50.9',
      imd_quintile: 1, icb_code: 'QZA', cancer_alliance_code: 'E56000091' });
    // The answers remain; the comment only as redacted, which is what the export gives from now on.
    expect(await t.dataSource.query('SELECT answers FROM responses')).toEqual([{ answers: { overall_rating: 9, other_comments: REDACTED_COMMENT } }]);
    const afterPurge = await cli(['results:comments', '--survey', 'CPES-2026', '--trust', 'RXX', '--csv']);
    expect(afterPurge.stdout.trimEnd().split('\r\n')).toEqual(['trust,question_number,question,comment', `RXX,56,Any other comments?,"${REDACTED_COMMENT}"`]);
  }, 90_000); // the purge rewrites tables and forces two checkpoints of a server other tests keep busy

  it('leaves no identifiable value anywhere in the database or the storage folder', async () => {
    expect(await identifiableInDatabase()).toEqual([]);

    const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
    const left = files(storageRoot()).filter((f) => !f.includes('sample-files-')); // the test's own input files
    for (const file of left) {
      const text = readFileSync(file).toString('latin1');
      for (const id of identifiers) expect([file, text.includes(id)]).toEqual([file, false]);
    }
    expect(left.filter((f) => /\.(pdf|eml)$/.test(f))).toEqual([]);
  });

  it("leaves no identifiable value in the database's files on disk or in the write-ahead log recovery would replay", async () => {
    // Read as the server's superuser: where the cluster keeps its files, and the span of WAL from
    // the last checkpoint's redo point to where it is writing now (what a crash recovery replays).
    // Bytes past that in recycled segment files are no longer WAL, as freed disk blocks are not files.
    const owner = new Client({ connectionString: process.env.DATABASE_URL });
    await owner.connect();
    const { rows: [where] } = await owner.query(`SELECT current_setting('data_directory') AS "dataDirectory",
        (SELECT oid::text FROM pg_database WHERE datname = current_database()) AS "databaseOid",
        r.file_name AS "redoFile", r.file_offset AS "redoOffset", i.file_name AS "insertFile", i.file_offset AS "insertOffset"
      FROM pg_control_checkpoint() c, pg_walfile_name_offset(c.redo_lsn) r, pg_walfile_name_offset(pg_current_wal_insert_lsn()) i`);
    await owner.end();
    const { dataDirectory, databaseOid, redoFile, redoOffset, insertFile, insertOffset } = where;

    const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
    const read = (file: string) => { try { return readFileSync(file); } catch { return Buffer.alloc(0); } }; // removed meanwhile
    const contents: [string, Buffer][] = [...files(join(dataDirectory, 'base', databaseOid)), ...files(join(dataDirectory, 'global'))]
      .map((f) => [f.slice(dataDirectory.length), read(f)]);
    const walFiles = readdirSync(join(dataDirectory, 'pg_wal')).filter((n) => /^[0-9A-F]{24}$/.test(n) && n >= redoFile && n <= insertFile).sort();
    expect(walFiles[0]).toBe(redoFile);
    for (const name of walFiles) {
      const bytes = read(join(dataDirectory, 'pg_wal', name));
      contents.push([`pg_wal/${name}`, bytes.subarray(name === redoFile ? redoOffset : 0, name === insertFile ? insertOffset : bytes.length)]);
    }
    expect(contents.length).toBeGreaterThan(10);
    const found = contents.flatMap(([file, bytes]) => identifiers.filter((id) => bytes.includes(id)).map((id) => `${file}: ${id}`));
    expect(found).toEqual([]);
  });
});
