import { PrintBatchesService } from '../src/mailings/print-batches.service';
import { WavesService } from '../src/mailings/waves.service';
import { JobQueue } from '../src/infra/queues/job-queue';
import { SampleImportService } from '../src/samples/sample-import.service';
import { stored, storedText } from './support/stored';
import { resetDatabase, startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { traceDeaths } from './support/mailing-survey';
import { pdfPages } from './support/pdf';
import { csvFile, patientRow } from './support/sample-files';

const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('questionnaire packs and print batches', () => {
  let t: TestApp;
  let patients: { reference: string; access_code: string; first_name: string; surname: string; postcode: string; nhs_number: string }[];

  beforeAll(async () => {
    t = await startApp();
    await resetDatabase(t.dataSource);
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Hospitals NHS Trust' }).expect(201);
    const path = csvFile('packs.csv', [
      patientRow(1, { title: 'Mr', first_name: 'Łukasz', surname: 'Wiśniewski', address_1: '12 Ulica Synthetic', address_2: 'Testville', postcode: 'LS2 9JT' }),
      patientRow(2, { title: '', first_name: 'Nguyễn Thị', surname: 'Ánh', address_1: 'Flat 3, Fixture House', address_2: 'Mockford', postcode: 'BD1 1AA' }),
      patientRow(3, { title: 'Mrs', first_name: 'Siobhán', surname: "O'Testing", address_1: '7 Placeholder Road', address_2: 'Dummyton', postcode: 'HX1 2AB' }),
      patientRow(4, { first_name: 'Zed', surname: 'Deceasedson', postcode: 'AB1 2CD' }),
    ]);
    await t.app.get(SampleImportService).import({ surveyCode: 'CPES-2026', trustCode: 'RXX', path, fileName: 'packs.csv', uploadedBy: 'test' });
    await t.http().post('/api/surveys/CPES-2026/sample/lock').set(t.auth).expect(201);
    patients = await t.dataSource.query(
      `SELECT survey_reference AS reference, access_code, first_name, surname, postcode, nhs_number FROM patients ORDER BY row_number`);
    // Reported dead after sampling: must not be printed.
    await traceDeaths(t, [patients[3].nhs_number]);
  });
  afterAll(async () => {
    // Launches here queue jobs no worker of this file runs: leave nothing for a later file's workers.
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });

  const getPack = (ref: string, step: string, query = '') =>
    t.http().get(`/api/patients/${ref}/pack/${step}${query}`).set(t.auth).buffer(true).parse(binary);

  it("renders one patient's initial pack with their exact details on it and nobody else's", async () => {
    const [lukasz, ...others] = patients;
    const res = await getPack(lukasz.reference, 'initial').expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pages = await pdfPages(res.body);
    expect(pages.length).toBe(Number(res.headers['x-page-count']));
    expect(pages.length).toBeGreaterThanOrEqual(8);
    const text = pages.join('\n');
    for (const expected of ['Mr Łukasz Wiśniewski', '12 Ulica Synthetic', 'Testville', 'LS2 9JT', 'Dear Mr Wiśniewski',
      lukasz.reference, lukasz.access_code, 'Example Hospitals NHS Trust', '0808 157 0192', 'http://localhost:3000/s',
      'Overall, how would you rate your care?', 'Has your cancer spread']) {
      expect(text).toContain(expected);
    }
    pages.forEach((page, i) => {
      expect(page).toContain(`Ref ${lukasz.reference}`);
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
    });
    for (const other of others) {
      for (const secret of [other.reference, other.access_code, other.surname, other.postcode]) expect(text).not.toContain(secret);
    }
  });

  it('keeps Vietnamese and Irish names exact, and reminder 1 is a letter without the questionnaire', async () => {
    const [, nguyen, siobhan] = patients;
    const initial = (await pdfPages((await getPack(nguyen.reference, 'initial').expect(200)).body)).join('\n');
    expect(initial).toContain('Nguyễn Thị Ánh');
    expect(initial).toContain('Dear Nguyễn Thị Ánh');
    const reminder = await pdfPages((await getPack(siobhan.reference, 'reminder_1').expect(200)).body);
    expect(reminder.length).toBeLessThanOrEqual(2);
    expect(reminder.join('\n')).toContain("Dear Mrs O'Testing");
    expect(reminder.join('\n')).not.toContain('Overall, how would you rate your care?');
  });

  it('prints large print at 16 pt or more, on more pages', async () => {
    const standard = Number((await getPack(patients[0].reference, 'initial').expect(200)).headers['x-page-count']);
    const large = await getPack(patients[0].reference, 'initial', '?format=large-print').expect(200);
    expect(Number(large.headers['x-page-count'])).toBeGreaterThan(standard * 1.4);
    const { LARGE_PRINT } = await import('../src/questionnaires/pdf-layout');
    expect(Math.min(...Object.values(LARGE_PRINT))).toBeGreaterThanOrEqual(14);
    expect(Math.min(LARGE_PRINT.body, LARGE_PRINT.small, LARGE_PRINT.heading)).toBeGreaterThanOrEqual(16);
  });

  it('refuses a mistyped reference, an unknown one and an unknown step clearly', async () => {
    const ref = patients[0].reference;
    const typo = ref.slice(0, -1) + ((Number(ref.slice(-1)) + 1) % 10);
    const bad = await t.http().get(`/api/patients/${typo}/pack/initial`).set(t.auth).expect(400);
    expect(bad.body.error.message).toContain('the check digit does not match');
    await t.http().get('/api/patients/RXX-999999-0/pack/initial').set(t.auth).expect((r) => expect([400, 404]).toContain(r.status));
    const step = await t.http().get(`/api/patients/${ref}/pack/reminder_9`).set(t.auth).expect(400);
    expect(step.body.error.message).toBe('The mailing step must be one of initial, reminder_1, reminder_2');
  });

  it('writes print files in postcode order with manifests that match them pack for pack, leaving out the dead', async () => {
    // Planned at launch in postcode order, two packs a file: [AB1 (dead), BD1] and [HX1, LS2].
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test', { packsPerFile: 2 });
    const run = await t.app.get(PrintBatchesService).print('CPES-2026', 'initial');
    expect(run).toMatchObject({ survey: 'CPES-2026', step: 'initial', packs: 3 });
    expect(run.batches.map((b) => b.packs)).toEqual([1, 2]);
    const manifests = await Promise.all(run.batches.map((b) => storedText(t.app, b.manifest)));
    const manifestRows = manifests.flatMap((text) => text.trim().split('\r\n').slice(1).map((l) => l.split(',')));
    expect(manifestRows.map((r) => r[3])).toEqual(['BD1 1AA', 'HX1 2AB', 'LS2 9JT']);
    expect(manifestRows.map((r) => r[2])).toEqual(['RXX', 'RXX', 'RXX']);
    expect(manifestRows.map((r) => r[1])).not.toContain(patients[3].reference);

    for (const b of run.batches) {
      const pages = await pdfPages(await stored(t.app, b.pdf));
      const rows = (await storedText(t.app, b.manifest)).trim().split('\r\n').slice(1).map((l) => l.split(','));
      expect(pages.length).toBe(b.pages);
      expect(rows.reduce((n, r) => n + Number(r[4]), 0)).toBe(pages.length);
      let offset = 0;
      for (const [sequence, reference, , , count] of rows) {
        const packPages = pages.slice(offset, offset + Number(count));
        expect(packPages.every((p) => p.includes(`Ref ${reference}`))).toBe(true);
        expect(packPages[0]).toContain(`Page 1 of ${count}`);
        // Every pack carries the whole questionnaire, the later ones as shared page forms.
        // Lines joined with spaces: the type size decides where a question's text wraps.
        const packText = packPages.join('\n').replace(/\s+/g, ' ');
        expect(packText).toContain('Overall, how would you rate your care?');
        expect(packText).toContain('Who was the main person or people that filled in this questionnaire?');
        expect(Number(sequence)).toBeGreaterThan(0);
        offset += Number(count);
      }
    }
  });

  it('prints through the CLI with --json, once a step is due', async () => {
    await t.app.get(WavesService).launch('CPES-2026', 'reminder_2', 'test');
    const early = await cli(['print:batch', '--survey', 'CPES-2026', '--step', 'reminder_2', '--json']);
    expect(early.code).toBe(1);
    expect(early.json.error.message).toMatch(/^reminder_2 in this survey is scheduled for \d{4}-.*: its letters are printed then/);
    await t.app.get(WavesService).launch('CPES-2026', 'reminder_1', 'test', { now: true });
    const run = await cli(['print:batch', '--survey', 'CPES-2026', '--step', 'reminder_1', '--json']);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ step: 'reminder_1', packs: 3, batches: [expect.objectContaining({ packs: 3 })] });
  });
});
