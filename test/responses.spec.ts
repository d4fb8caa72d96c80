import type { TestingModule } from '@nestjs/testing';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobQueue } from '../src/infra/queues/job-queue';
import { WavesService } from '../src/mailings/waves.service';
import { RetentionService } from '../src/retention/retention.service';
import { formatReference } from '../src/samples/survey-reference';
import { startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { ledger, lockedSurvey, SampledPatient, settled, startWorkers, traceDeaths } from './support/mailing-survey';
import { patientRow, tmp } from './support/sample-files';
import { SmtpSink } from './support/smtp-sink';

/** Returns, online and scanned completions: their effect on outcomes and on the next reminder. */
describe('responses and outcomes', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let workers: TestingModule | undefined;
  let patients: SampledPatient[];

  const outcomes = async (): Promise<Record<string, number>> => Object.fromEntries(
    (await t.dataSource.query(
      `SELECT p.survey_reference AS ref, o.outcome FROM patient_outcomes o JOIN patients p ON p.id = o.patient_id`,
    )).map((r: { ref: string; outcome: number }) => [r.ref, r.outcome]));
  const book = (reference: string, type: string, receivedOn?: string) =>
    t.http().post('/api/surveys/CPES-2026/returns').set(t.auth).send({ reference, type, ...(receivedOn ? { receivedOn } : {}) });
  const file = (name: string, lines: string[]) => {
    const path = join(tmp, name);
    writeFileSync(path, lines.join('\r\n') + '\r\n');
    return path;
  };
  const mailInitial = async () => {
    workers ??= await startWorkers(smtp.env());
    await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
    await settled(t, 'initial');
  };

  beforeAll(async () => {
    t = await startApp();
    smtp = await new SmtpSink().start();
  });
  afterAll(async () => {
    await workers?.close();
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await smtp.stop();
    await t.app.close();
  });
  beforeEach(async () => {
    patients = await lockedSurvey(t, [1, 2, 3, 4, 5, 6].map((n) => patientRow(n, { email: n % 2 ? `patient${n}@example.invalid` : '' })));
  });
  afterEach(async () => {
    await workers?.close();
    workers = undefined;
  });

  describe('paper returns', () => {
    it('books an envelope in by reference once, however often it is scanned', async () => {
      const first = await book(patients[0].reference.toLowerCase().replace(/-/g, ' '), 'completed', '2026-11-20').expect(200);
      expect(first.body).toMatchObject({
        reference: patients[0].reference, type: 'completed', receivedOn: '2026-11-20', recorded: true,
        outcome: { code: 1, responseMode: 'paper', respondedOn: '2026-11-20' },
      });
      expect((await book(patients[0].reference, 'completed', '2026-11-20').expect(200)).body.recorded).toBe(false);
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM patient_events WHERE kind = 'completed'`);
      expect(n).toBe(1);
    });

    it('reports a mistyped or unknown reference instead of guessing', async () => {
      const ref = patients[0].reference;
      const typo = `${ref.slice(0, -1)}${(Number(ref.slice(-1)) + 1) % 10}`;
      const bad = await book(typo, 'completed').expect(400);
      expect(bad.body.error.message).toMatch(/check digit does not match/);
      const unknown = await book(formatReference('RXX', 999_999), 'blank').expect(404);
      expect(unknown.body.error.message).toBe('No patient of this survey has that reference: check the survey reference');
      await book(ref, 'lost').expect(400);
      await book(ref, 'completed', '2099-01-01').expect(400);
      expect(await t.dataSource.query('SELECT * FROM patient_events')).toEqual([]);
    });

    it('imports a returns file all or nothing, and a second import changes nothing', async () => {
      const [a, b, c] = patients;
      const good = file('returns.csv', ['reference,received_date,type',
        `${a.reference},2026-11-18,completed`, `${b.reference},18/11/2026,blank`, `${c.reference},2026-11-19,undelivered`]);
      const first = await cli(['returns:import', '--survey', 'CPES-2026', '--file', good, '--json']);
      expect(first.code).toBe(0);
      expect(first.json).toEqual({
        survey: 'CPES-2026', fileName: 'returns.csv', rowsRead: 3, recorded: 3, alreadyRecorded: 0,
        byType: { completed: 1, blank: 1, undelivered: 1 },
      });
      const again = await cli(['returns:import', '--survey', 'CPES-2026', '--file', good, '--json']);
      expect(again.json).toMatchObject({ recorded: 0, alreadyRecorded: 3, byType: { completed: 0, blank: 0, undelivered: 0 } });
      expect(await outcomes()).toMatchObject({ [a.reference]: 1, [b.reference]: 4, [c.reference]: 2, [patients[3].reference]: 6 });

      const typo = `${patients[3].reference.slice(0, -1)}${(Number(patients[3].reference.slice(-1)) + 1) % 10}`;
      const bad = file('bad-returns.csv', ['reference,received_date,type',
        `${patients[4].reference},2026-11-19,completed`, `${typo},2026-11-19,completed`,
        `${formatReference('RXX', 999_998)},2026-11-19,blank`, `${patients[5].reference},2026-13-01,opened`]);
      const refused = await cli(['returns:import', '--survey', 'CPES-2026', '--file', bad, '--json']);
      expect(refused.code).not.toBe(0);
      expect(refused.json.error.code).toBe('file_rejected');
      expect(refused.json.error.details.map((d: { where: string }) => d.where)).toEqual([
        'row 3, reference', 'row 4, reference', 'row 5, type', 'row 5, received_date']);
      expect(await outcomes()).toMatchObject({ [patients[4].reference]: 6 });
    });
  });

  it('takes responders, blanks, undelivered, opt-outs and deaths out of reminder 1, and sets their outcome', async () => {
    await mailInitial();
    const [completed, blank, undelivered, optedOut, died, still] = patients;
    await book(completed.reference, 'completed').expect(200);
    await book(blank.reference, 'blank').expect(200);
    await book(undelivered.reference, 'undelivered').expect(200);
    expect((await cli(['helpline:log', '--ref', optedOut.reference, '--type', 'opt_out', '--reason', 'Does not want to take part', '--json'])).code).toBe(0);
    // A relative calls: the patient died after the questionnaire was posted (code 3, not 7).
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    const death = await cli(['helpline:log', '--ref', died.reference, '--type', 'deceased', '--date', today, '--caller', 'daughter', '--json']);
    expect(death.json).toMatchObject({ type: 'deceased', outcome: { code: 3 }, pack: null });

    await t.app.get(WavesService).launch('CPES-2026', 'reminder_1', 'test', { now: true });
    await settled(t, 'reminder_1');
    const postal = Object.fromEntries((await ledger(t, 'reminder_1')).filter((r) => r.channel === 'postal')
      .map((r) => [patients.find((p) => p.id === r.patient_id)!.reference, r.suppression_reason ?? r.status]));
    expect(postal).toEqual({
      [completed.reference]: 'responded', [blank.reference]: 'opted_out', [undelivered.reference]: 'undelivered',
      [optedOut.reference]: 'opted_out', [died.reference]: 'deceased', [still.reference]: 'sent',
    });
    expect(await outcomes()).toEqual({
      [completed.reference]: 1, [blank.reference]: 4, [undelivered.reference]: 2, [optedOut.reference]: 4,
      [died.reference]: 3, [still.reference]: 6,
    });
  });

  it('orders outcomes by precedence: completed beats a later death; a death before the first mailing is 7', async () => {
    // The trace gives 1 November as the date of death: before the patient's first mailing, even if found after it.
    const [respondedThenDied, diedBeforeMailing, undeliveredThenMoved] = patients;
    await traceDeaths(t, [diedBeforeMailing.nhs_number]);
    await mailInitial();
    await book(respondedThenDied.reference, 'completed').expect(200);
    await book(undeliveredThenMoved.reference, 'undelivered').expect(200);
    await traceDeaths(t, [respondedThenDied.nhs_number]);
    expect(await outcomes()).toMatchObject({ [respondedThenDied.reference]: 1, [diedBeforeMailing.reference]: 7, [undeliveredThenMoved.reference]: 2 });

    // A new address given after the envelope came back: mailable again, no longer outcome 2.
    const moved = await cli(['helpline:log', '--ref', undeliveredThenMoved.reference, '--type', 'address_change',
      '--address', '9 New Synthetic Road|Testville', '--postcode', 'ls6 2ab', '--json']);
    expect(moved.code).toBe(0);
    expect(moved.json.outcome.code).toBe(6);
    await t.app.get(WavesService).launch('CPES-2026', 'reminder_1', 'test', { now: true });
    await settled(t, 'reminder_1');
    const rows = await ledger(t, 'reminder_1');
    expect(rows.find((r) => r.patient_id === undeliveredThenMoved.id && r.channel === 'postal')).toMatchObject({ status: 'sent' });
    const [{ address, postcode }] = await t.dataSource.query('SELECT address, postcode FROM patients WHERE id = $1', [undeliveredThenMoved.id]);
    expect({ address, postcode }).toEqual({ address: ['9 New Synthetic Road', 'Testville'], postcode: 'LS6 2AB' });
  });

  describe('online completion', () => {
    const answers = { gp_visits: '1', had_diagnostic_test: '2', told_sensitively: '1', overall_rating: 8 };

    it('stores answers against the patient record and spends the access code', async () => {
      const code = patients[1].access_code;
      const form = await t.http().get(`/api/online/${code.toLowerCase().replace(/-/g, '')}`).expect(200);
      expect(form.body).toMatchObject({ survey: 'CPES-2026', open: true, questionnaire: { code: 'CPES-2026' } });
      expect(JSON.stringify(form.body)).not.toContain(patients[1].surname);

      const done = await t.http().post(`/api/online/${code}/response`).send({ answers }).expect(201);
      expect(done.body).toMatchObject({ reference: patients[1].reference, mode: 'online', questionsAnswered: 4 });
      const [stored] = await t.dataSource.query('SELECT patient_id::text, mode, answers FROM responses');
      expect(stored).toEqual({ patient_id: patients[1].id, mode: 'online', answers });
      expect(await outcomes()).toMatchObject({ [patients[1].reference]: 1 });

      const twice = await t.http().post(`/api/online/${code}/response`).send({ answers }).expect(409);
      expect(twice.body.error.message).toMatch(/already been used/);
      expect((await t.http().get(`/api/online/${code}`).expect(200)).body.open).toBe(false);
    });

    it('records a submission with no answered question as a blank return (outcome 4), storing no response', async () => {
      const [a, b] = patients;
      const blank = await t.http().post(`/api/online/${a.access_code}/response`).send({ answers: {} }).expect(201);
      expect(blank.body).toMatchObject({ reference: a.reference, recordedAs: 'blank_return', questionsAnswered: 0 });
      expect(blank.body.message).toMatch(/no question was answered.*blank return/i);
      // Empty text and an empty list are no answer either.
      const empty = await t.http().post(`/api/online/${b.access_code}/response`).send({ answers: { anything_good: '  ', treatment_types: [] } }).expect(201);
      expect(empty.body.recordedAs).toBe('blank_return');
      expect(await t.dataSource.query('SELECT * FROM responses')).toEqual([]);
      expect(await t.dataSource.query(`SELECT kind, source FROM patient_events ORDER BY id`))
        .toEqual([{ kind: 'blank_return', source: 'online' }, { kind: 'blank_return', source: 'online' }]);
      expect(await outcomes()).toMatchObject({ [a.reference]: 4, [b.reference]: 4 });
      // The code is spent.
      await t.http().post(`/api/online/${a.access_code}/response`).send({ answers: { gp_visits: '1' } }).expect(409);
      expect((await t.http().get(`/api/online/${a.access_code}`).expect(200)).body.open).toBe(false);
      const done = await t.http().post(`/api/online/${patients[2].access_code}/response`).send({ answers }).expect(201);
      expect(done.body.recordedAs).toBe('completed');
    });

    it('refuses invalid or routed-past answers with the question named, and unknown codes alike', async () => {
      const code = patients[0].access_code;
      const bad = await t.http().post(`/api/online/${code}/response`)
        .send({ answers: { gp_visits: '1', gp_explained_referral: '1', overall_rating: 42 } }).expect(400);
      expect(bad.body.error.details).toEqual(expect.arrayContaining([
        { where: 'overall_rating', message: 'question 53: the rating must be a whole number from 0 to 10' },
        expect.objectContaining({ where: 'gp_explained_referral', message: expect.stringContaining('skipped by the routing') }),
      ]));
      const unknown = await t.http().get('/api/online/AAAA-BBBB-CCCC').expect(404);
      const malformed = await t.http().get('/api/online/nonsense').expect(404);
      expect(unknown.body.error.message).toBe(malformed.body.error.message);
      expect(await t.dataSource.query('SELECT * FROM responses')).toEqual([]);
    });
  });

  describe('scanned paper answers', () => {
    it('stores each questionnaire once, drops routed-past answers, and refuses a file with a bad value', async () => {
      const [a, b] = patients;
      const header = 'reference,received_date,gp_visits,gp_explained_referral,treatment_types,overall_rating';
      const scans = file('scans.csv', [header, `${a.reference},2026-11-19,1,3,1;2,9`, `${b.reference},2026-11-19,2,1,7,10`]);
      const first = await cli(['scans:import', '--survey', 'CPES-2026', '--file', scans, '--json']);
      expect(first.json).toEqual({
        survey: 'CPES-2026', fileName: 'scans.csv', rowsRead: 2, recorded: 2, blankReturns: 0, alreadyRecorded: 0, alreadyResponded: 0,
        routedPastDropped: [{ row: 2, question: 'gp_explained_referral' }],
      });
      const [stored] = await t.dataSource.query('SELECT answers FROM responses WHERE patient_id = $1', [a.id]);
      expect(stored.answers).toEqual({ gp_visits: '1', treatment_types: ['1', '2'], overall_rating: 9 });
      expect((await cli(['scans:import', '--survey', 'CPES-2026', '--file', scans, '--json'])).json)
        .toMatchObject({ recorded: 0, alreadyRecorded: 2 });
      expect(await outcomes()).toMatchObject({ [a.reference]: 1, [b.reference]: 1 });

      const bad = file('bad-scans.csv', [header, `${patients[2].reference},2026-11-19,1,,1,11`, `${patients[3].reference},2026-11-19,8,,,`]);
      const refused = await cli(['scans:import', '--survey', 'CPES-2026', '--file', bad, '--json']);
      expect(refused.json.error).toMatchObject({ code: 'file_rejected' });
      expect(refused.json.error.details.map((d: { where: string }) => d.where)).toEqual(['row 2, overall_rating', 'row 3, gp_visits']);
      expect(await outcomes()).toMatchObject({ [patients[2].reference]: 6, [patients[3].reference]: 6 });
    });

    it('records a scanned questionnaire with no answered question as a blank return, once', async () => {
      const [a, b, c] = patients;
      const header = 'reference,received_date,gp_visits,gp_explained_referral,overall_rating';
      const scans = file('blank-scans.csv', [header, `${a.reference},2026-11-19,,,`, `${b.reference},2026-11-19,2,,8`, `${c.reference},2026-11-19, , ,`]);
      const first = await cli(['scans:import', '--survey', 'CPES-2026', '--file', scans, '--json']);
      expect(first.json).toMatchObject({ rowsRead: 3, recorded: 1, blankReturns: 2, alreadyRecorded: 0 });
      expect(await outcomes()).toMatchObject({ [a.reference]: 4, [b.reference]: 1, [c.reference]: 4 });
      expect((await t.dataSource.query('SELECT patient_id::text FROM responses')).map((r: { patient_id: string }) => r.patient_id)).toEqual([b.id]);
      expect(await t.dataSource.query(`SELECT source FROM patient_events WHERE kind = 'blank_return'`)).toEqual([{ source: 'scan' }, { source: 'scan' }]);
      const again = await cli(['scans:import', '--survey', 'CPES-2026', '--file', scans, '--json']);
      expect(again.json).toMatchObject({ recorded: 0, blankReturns: 0, alreadyRecorded: 3 });
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM patient_events`);
      expect(n).toBe(3);
    });
  });

  it('refuses every return, returns file, scans file and outcome-changing call once the survey is closed, storing nothing', async () => {
    const [a, b, c] = patients;
    await book(a.reference, 'undelivered', '2026-11-18').expect(200);
    await t.app.get(RetentionService).close('CPES-2026', 'test');
    const before = { outcomes: await outcomes(), events: await t.dataSource.query('SELECT * FROM patient_events ORDER BY id'),
      responses: await t.dataSource.query('SELECT * FROM responses') };
    const refusedAsClosed = (error: { code: string; message: string }) => {
      expect(error.code).toBe('invalid_state');
      expect(error.message).toMatch(/closed: it takes no more/);
      expect(error.message).not.toContain('CPES-2026');
    };

    refusedAsClosed((await book(b.reference, 'completed', '2026-11-20').expect(409)).body.error);
    const booked = await cli(['returns:book', '--survey', 'CPES-2026', '--ref', b.reference, '--type', 'blank', '--json']);
    expect(booked.code).toBe(1);
    refusedAsClosed(booked.json.error);

    const returns = file('late-returns.csv', ['reference,received_date,type', `${b.reference},2026-11-20,completed`, `${c.reference},2026-11-20,blank`]);
    const imported = await cli(['returns:import', '--survey', 'CPES-2026', '--file', returns, '--json']);
    expect(imported.code).toBe(1);
    refusedAsClosed(imported.json.error);
    refusedAsClosed((await t.http().post('/api/surveys/CPES-2026/returns/files').set(t.auth).attach('file', returns).expect(409)).body.error);

    const scans = file('late-scans.csv', ['reference,received_date,gp_visits,overall_rating', `${b.reference},2026-11-20,2,8`]);
    const scanned = await cli(['scans:import', '--survey', 'CPES-2026', '--file', scans, '--json']);
    expect(scanned.code).toBe(1);
    refusedAsClosed(scanned.json.error);
    refusedAsClosed((await t.http().post('/api/surveys/CPES-2026/scans/files').set(t.auth).attach('file', scans).expect(409)).body.error);

    // The helpline still notes a call, but nothing that would change an outcome or post a pack.
    for (const contact of [{ type: 'opt_out' }, { type: 'too_ill' }, { type: 'ineligible', reason: 'not treated there' },
      { type: 'deceased', dateOfDeath: '2026-11-01' }, { type: 'replacement' }]) {
      refusedAsClosed((await t.http().post(`/api/surveys/CPES-2026/patients/${c.reference}/contacts`).set(t.auth).send(contact).expect(409)).body.error);
    }
    await t.http().post(`/api/surveys/CPES-2026/patients/${c.reference}/contacts`).set(t.auth).send({ type: 'query', notes: 'Asked whether it is too late' }).expect(201);

    expect(await outcomes()).toEqual(before.outcomes);
    const events = await t.dataSource.query('SELECT * FROM patient_events ORDER BY id');
    expect(events.slice(0, -1)).toEqual(before.events);
    expect(events.at(-1)).toMatchObject({ kind: 'query' });
    expect(await t.dataSource.query('SELECT * FROM responses')).toEqual(before.responses);
    expect(await t.dataSource.query('SELECT * FROM survey_deaths')).toEqual([]);
  }, 120_000);

  it('keeps every event: history cannot be edited or deleted', async () => {
    await book(patients[0].reference, 'blank').expect(200);
    await expect(t.dataSource.query(`UPDATE patient_events SET kind = 'completed', mode = 'paper'`)).rejects.toThrow(/history/);
    await expect(t.dataSource.query('DELETE FROM patient_events')).rejects.toThrow(/history/);
  });
});
