import type { TestingModule } from '@nestjs/testing';
import type { Principal } from '../src/auth/roles';
import { HelplineService } from '../src/helpline/helpline.service';
import { JobQueue } from '../src/infra/queues/job-queue';
import { stored, storedText } from './support/stored';
import { WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { lockedSurvey, SampledPatient, settled, startWorkers } from './support/mailing-survey';
import { pdfPages } from './support/pdf';
import { patientRow } from './support/sample-files';

/** The helpline: finding the caller's patient, their history, and logging what they say. */
describe('helpline', () => {
  let t: TestApp;
  let workers: TestingModule | undefined;
  let patients: SampledPatient[];
  const helpline = () => t.app.get(HelplineService);
  const contact = (ref: string, body: Record<string, unknown>) =>
    t.http().post(`/api/surveys/CPES-2026/patients/${ref}/contacts`).set(t.auth).send(body);
  const mailInitial = async () => {
    workers ??= await startWorkers();
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
  };
  const packDone = async (id: string) => {
    for (let i = 0; i < 150; i++) {
      const [pack] = await t.dataSource.query('SELECT status, pdf_path FROM one_off_packs WHERE id = $1', [id]);
      if (pack.status !== 'pending') return pack;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`one-off pack ${id} still pending`);
  };

  beforeAll(async () => { t = await startApp(); });
  afterAll(async () => {
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });
  beforeEach(async () => {
    patients = await lockedSurvey(t, [
      patientRow(1, { surname: "O'Synthetic", postcode: 'LS2 9JT', date_of_birth: '1948-03-02' }),
      patientRow(2, { surname: "O'Synthetic", postcode: 'LS2 9JT', date_of_birth: '1951-07-30' }),
      patientRow(3, { surname: 'Fixture' }),
    ]);
  });
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });

  describe('search', () => {
    it('finds a patient by reference, or by surname, postcode and date of birth together', async () => {
      const byRef = await t.http().get('/api/surveys/CPES-2026/patients').query({ reference: patients[2].reference.toLowerCase() }).set(t.auth).expect(200);
      expect(byRef.body.matches).toEqual([expect.objectContaining({
        reference: patients[2].reference, surname: 'Fixture', trustCode: 'RXX', outcome: expect.objectContaining({ code: 6 }),
      })]);
      const byDetails = await t.http().get('/api/surveys/CPES-2026/patients')
        .query({ surname: "o'synthetic ", postcode: 'ls29jt', dateOfBirth: '1951-07-30' }).set(t.auth).expect(200);
      expect(byDetails.body.matches.map((m: { reference: string }) => m.reference)).toEqual([patients[1].reference]);

      const partial = await t.http().get('/api/surveys/CPES-2026/patients').query({ surname: "O'Synthetic" }).set(t.auth).expect(400);
      expect(partial.body.error.details.map((d: { where: string }) => d.where)).toEqual(['postcode', 'dateOfBirth']);
      const typo = await t.http().get('/api/surveys/CPES-2026/patients').query({ reference: `${patients[0].reference.slice(0, -1)}${(Number(patients[0].reference.slice(-1)) + 1) % 10}` }).set(t.auth).expect(400);
      expect(typo.body.error.message).toMatch(/check digit/);
      // The field's own message (shown beside the box on the page) is the sentence too, not a code.
      expect(typo.body.error.details).toEqual([{ where: 'reference', message: typo.body.error.message }]);
      expect(typo.body.error.message).not.toContain(patients[0].reference.slice(0, -1));
    });

    it("never shows a trust user another trust's patient", async () => {
      const other: Principal = { id: 'ryy-user', role: 'trust', trustCode: 'RYY' };
      const own: Principal = { id: 'rxx-user', role: 'trust', trustCode: 'RXX' };
      expect((await helpline().find('CPES-2026', { reference: patients[0].reference }, other)).matches).toEqual([]);
      expect((await helpline().find('CPES-2026', { surname: "O'Synthetic", postcode: 'LS2 9JT', dateOfBirth: '1948-03-02' }, other)).matches).toEqual([]);
      await expect(helpline().record('CPES-2026', patients[0].reference, other)).rejects.toMatchObject({ code: 'not_found' });
      expect((await helpline().find('CPES-2026', { reference: patients[0].reference }, own)).matches).toHaveLength(1);
      expect((await helpline().record('CPES-2026', patients[0].reference, own)).reference).toBe(patients[0].reference);
    });
  });

  it('logs each contact with who and when, keeps the history, and refuses a contact missing what it needs', async () => {
    const ref = patients[0].reference;
    const optOut = await contact(ref, { type: 'opt_out', reason: 'Too upsetting', caller: 'patient' }).expect(201);
    expect(optOut.body).toMatchObject({ reference: ref, type: 'opt_out', recordedBy: 'operator', outcome: { code: 4 }, pack: null });
    await contact(ref, { type: 'query', notes: 'Asked how the answers are used' }).expect(201);

    const noDate = await contact(ref, { type: 'deceased' }).expect(400);
    expect(noDate.body.error.details).toEqual([{ where: 'dateOfDeath', message: 'Enter the date of death (an estimate is fine)' }]);
    const future = await contact(ref, { type: 'deceased', dateOfDeath: '2999-01-01' }).expect(400);
    expect(future.body.error).toMatchObject({ message: 'Enter the date of death, which must be today or in the past',
      details: [{ where: 'dateOfDeath', message: 'Enter the date of death, which must be today or in the past' }] });
    expect((await contact(ref, { type: 'query' }).expect(400)).body.error.details[0].where).toBe('notes');
    expect((await contact(ref, { type: 'ineligible' }).expect(400)).body.error.details[0].where).toBe('reason');
    const ineligible = await contact(patients[1].reference, { type: 'ineligible', reason: 'Treated privately, not at this trust' }).expect(201);
    expect(ineligible.body.outcome).toMatchObject({ code: 5, label: 'not eligible' });
    expect((await contact(ref, { type: 'haunting' }).expect(400)).body.error.details[0].where).toBe('type');
    const badPostcode = await contact(ref, { type: 'address_change', addressLines: ['1 Road', 'Town'], postcode: 'ZZ99 3VZ' }).expect(400);
    expect(badPostcode.body.error.details[0].where).toBe('postcode');

    const record = await t.http().get(`/api/surveys/CPES-2026/patients/${ref}`).set(t.auth).expect(200);
    expect(record.body).toMatchObject({ reference: ref, surname: "O'Synthetic", outcome: { code: 4 }, accessCodeUsed: false });
    expect(record.body.events).toEqual([
      expect.objectContaining({ kind: 'opt_out', recordedBy: 'operator', source: 'helpline', details: { reason: 'Too upsetting', caller: 'patient' } }),
      expect.objectContaining({ kind: 'query', details: { notes: 'Asked how the answers are used' } }),
    ]);
  });

  it('keeps patients who are too ill or not eligible out of the next reminder', async () => {
    await mailInitial();
    await contact(patients[0].reference, { type: 'too_ill', caller: 'wife' }).expect(201);
    await contact(patients[1].reference, { type: 'ineligible', reason: 'Not treated for cancer' }).expect(201);
    await t.app.get(WavesService).launch('CPES-2026', 'reminder_1', 'test', { now: true });
    await settled(t, 'reminder_1');
    const rows = await t.dataSource.query(
      `SELECT p.survey_reference AS ref, m.status, m.suppression_reason AS reason, o.outcome FROM mailings m
       JOIN patients p ON p.id = m.patient_id JOIN patient_outcomes o ON o.patient_id = p.id
       WHERE m.step = 'reminder_1' AND m.channel = 'postal' ORDER BY p.survey_reference`);
    expect(rows).toEqual([
      { ref: patients[0].reference, status: 'suppressed', reason: 'opted_out', outcome: 4 },
      { ref: patients[1].reference, status: 'suppressed', reason: 'ineligible', outcome: 5 },
      { ref: patients[2].reference, status: 'sent', reason: null, outcome: 6 },
    ]);
  });

  it('keeps the old address in the history when the address changes', async () => {
    const ref = patients[2].reference;
    await contact(ref, { type: 'address_change', addressLines: ['Flat 2', '7 Synthetic Close', 'Testville'], postcode: 'bd1 1aa' }).expect(201);
    const { body } = await t.http().get(`/api/surveys/CPES-2026/patients/${ref}`).set(t.auth).expect(200);
    expect(body).toMatchObject({ address: ['Flat 2', '7 Synthetic Close', 'Testville'], postcode: 'BD1 1AA' });
    expect(body.events[0].details).toEqual({
      previous: { address: ['3 Synthetic Street', 'Testville'], postcode: 'LS1 4AB' },
      address: ['Flat 2', '7 Synthetic Close', 'Testville'], postcode: 'BD1 1AA',
    });
  });

  it('posts a large-print pack at once, and later mailings come in large print too', async () => {
    await mailInitial();
    const ref = patients[1].reference;
    const asked = await cli(['helpline:log', '--ref', ref, '--type', 'alternative_format', '--format', 'large_print', '--by', 'helpline.jo', '--json']);
    expect(asked.code).toBe(0);
    expect(asked.json).toMatchObject({ reference: ref, recordedBy: 'helpline.jo', pack: { format: 'large_print', status: 'pending' } });

    const pack = await packDone(asked.json.pack.id);
    expect(pack.status).toBe('printed');
    const pages = await pdfPages(await stored(t.app, pack.pdf_path));
    expect(pages.length).toBeGreaterThan(9); // large print runs longer than the standard 9 pages
    expect(pages.join(' ')).toContain(ref);
    expect(await storedText(t.app, pack.pdf_path.replace(/\.pdf$/, '-manifest.csv'))).toContain(ref);

    await t.app.get(WavesService).launch('CPES-2026', 'reminder_2', 'test', { now: true });
    await settled(t, 'reminder_2');
    const files = await t.dataSource.query(
      `SELECT b.large_print, array_agg(p.survey_reference ORDER BY p.survey_reference) AS refs FROM print_batches b
       JOIN mailings m ON m.print_batch_id = b.id JOIN patients p ON p.id = m.patient_id WHERE b.step = 'reminder_2' GROUP BY 1 ORDER BY 1`);
    expect(files).toEqual([
      { large_print: false, refs: [patients[0].reference, patients[2].reference] },
      { large_print: true, refs: [ref] },
    ]);

    const braille = await contact(patients[0].reference, { type: 'alternative_format', format: 'braille' }).expect(201);
    expect(braille.body).toMatchObject({ pack: null, note: expect.stringContaining('specialist supplier') });
  });

  it('replaces a lost questionnaire, unless the patient has responded by the time it is printed', async () => {
    await t.http().post(`/api/surveys/CPES-2026/patients/${patients[0].reference}/contacts`).set(t.auth)
      .send({ type: 'replacement' }).expect(409);
    await mailInitial();
    await workers!.close();
    workers = undefined;
    const lost = await contact(patients[0].reference, { type: 'replacement', caller: 'husband' }).expect(201);
    expect(lost.body.pack).toMatchObject({ format: 'standard', status: 'pending' });
    // The questionnaire turns up and is returned before the print run picks the pack up.
    await t.http().post('/api/surveys/CPES-2026/returns').set(t.auth).send({ reference: patients[0].reference, type: 'completed' }).expect(200);
    workers = await startWorkers();
    expect(await packDone(lost.body.pack.id)).toEqual({ status: 'suppressed', pdf_path: null });
  });

  it('records a questionnaire completed over the phone', async () => {
    const done = await t.http().post(`/api/surveys/CPES-2026/patients/${patients[2].reference}/responses`).set(t.auth)
      .send({ answers: { gp_visits: '2', overall_rating: 10 } }).expect(201);
    expect(done.body).toMatchObject({ mode: 'phone', questionsAnswered: 2 });
    const { body } = await t.http().get(`/api/surveys/CPES-2026/patients/${patients[2].reference}`).set(t.auth).expect(200);
    expect(body.outcome).toMatchObject({ code: 1, responseMode: 'phone' });
    expect(body.response).toMatchObject({ mode: 'phone' });
    await t.http().post(`/api/surveys/CPES-2026/patients/${patients[2].reference}/responses`).set(t.auth)
      .send({ answers: { gp_visits: '3' } }).expect(409);
  });
});
