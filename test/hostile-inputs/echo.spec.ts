import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/commands';
import { runCli } from '../../src/cli/run-cli';
import { resetDatabase, startApp, TestApp } from '../support/app';
import { cli, CliRun } from '../support/cli';
import { csvFile, patientRow, tmp } from '../support/sample-files';

/**
 * The README promises that error messages never repeat a submitted value. A distinctive
 * marker goes into every route value, main body field and CLI option, and no answer, error
 * page or CLI output may carry it back: not raw, not HTML-escaped, not upper-cased.
 */
const CORE = 'ZZQX';
const MARKER = `${CORE}<script>'OR'1'='1`;
// Codes and addresses that pass format checks, for the not-found and already-exists paths.
const SURVEY_LIKE = `${CORE}-1`;
const TRUST_LIKE = CORE;
const EMAIL_LIKE = `${CORE.toLowerCase()}@example.invalid`;
const m = encodeURIComponent(MARKER);

function expectNoEcho(text: string, label: string): void {
  if (text.toUpperCase().includes(CORE)) throw new Error(`${label} repeats the submitted value:\n${text.slice(0, 2000)}`);
}

/**
 * Pages may put what was typed back into a form field (escaped); only the messages count there.
 * A select lists stored choices (the survey chooser lists every survey, one of which this test
 * names like the marker), never what was typed.
 */
const withoutFormValues = (html: string) => html
  .replace(/\svalue="[^"]*"/g, '').replace(/<textarea[^>]*>[^<]*<\/textarea>/g, '').replace(/<select[^>]*>[\s\S]*?<\/select>/g, '')
  .replace(/\s(href|action)="[^"]*"/g, '');

describe('hostile input: submitted values are never repeated in errors', () => {
  let t: TestApp;
  let ref: string;
  let accessCode: string;

  beforeAll(async () => {
    t = await startApp();
    await resetDatabase(t.dataSource);
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    await t.http().post('/api/surveys').set(t.auth).send({ code: SURVEY_LIKE, periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Hospitals NHS Trust', icb: 'QXX' }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: TRUST_LIKE, name: 'Marker Trust' }).expect(201);
    await t.http().post('/api/users').set(t.auth).send({ email: EMAIL_LIKE, role: 'helpline' }).expect(201);
    const sample = csvFile('echo-sample.csv', [1, 2, 3].map((n) => patientRow(n)));
    await t.http().post('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(t.auth).attach('file', sample).expect(201);
    [{ survey_reference: ref, access_code: accessCode }] = await t.dataSource.query(
      `SELECT survey_reference, access_code FROM patients ORDER BY row_number LIMIT 1`);
  });
  afterAll(() => t.app.close());
  // The tables are built before the set-up runs: real values are filled in per test.
  const fill = (text: string) => text.replace(/\{ref\}/g, ref).replace(/\{code\}/g, accessCode);

  describe('HTTP API', () => {
    type Case = [string, 'get' | 'post' | 'delete', string, object?];
    const cases = (): Case[] => [
      ['survey code in the path', 'get', `/api/surveys/${m}`],
      ['unknown route', 'get', `/api/nothing-here/${m}`],
      ['survey fields', 'post', '/api/surveys', { code: MARKER, name: MARKER, periodStart: MARKER, periodEnd: MARKER }],
      ['survey settings', 'post', '/api/surveys', { code: 'CPES-2030', periodStart: '2026-04-01', periodEnd: '2026-06-30', settings: { minimumAge: MARKER, [MARKER]: 1 } }],
      ['an unknown body field', 'post', '/api/surveys', { code: 'CPES-2030', periodStart: '2026-04-01', periodEnd: '2026-06-30', [MARKER]: MARKER }],
      ['an existing survey code', 'post', '/api/surveys', { code: SURVEY_LIKE, periodStart: '2026-04-01', periodEnd: '2026-06-30' }],
      ['trust fields', 'post', '/api/trusts', { code: MARKER, name: '', icb: MARKER }],
      ['an existing trust code', 'post', '/api/trusts', { code: TRUST_LIKE, name: 'Again' }],
      ['trust ptc flag', 'post', '/api/trusts', { code: 'RQQ', name: 'Flagged', ptc: MARKER }],
      ['trust ptc: code and flag', 'post', `/api/trusts/${m}/ptc`, { ptc: MARKER }],
      ['trust ptc: unknown trust', 'post', `/api/trusts/${m}/ptc`, { ptc: true }],
      ['survey kind', 'post', '/api/surveys', { code: 'CPES-2030', kind: MARKER, periodStart: '2026-04-01', periodEnd: '2026-06-30' }],
      ['fieldwork start: survey', 'post', `/api/surveys/${m}/fieldwork-start`, { date: '2026-09-01' }],
      ['fieldwork start: date', 'post', '/api/surveys/CPES-2026/fieldwork-start', { date: MARKER }],
      ['sample files: survey and trust', 'get', `/api/surveys/${m}/trusts/${m}/sample-files`],
      ['sample file id', 'get', `/api/surveys/CPES-2026/trusts/RXX/sample-files/${m}?format=${m}`],
      ['sample status', 'get', `/api/surveys/${m}/sample`],
      ['sample lock', 'post', `/api/surveys/${m}/sample/lock`],
      ['sample lock of an empty survey', 'post', `/api/surveys/${SURVEY_LIKE}/sample/lock`],
      ['mailings', 'get', `/api/surveys/${m}/mailings`],
      ['mailing step', 'get', `/api/surveys/CPES-2026/mailings/${m}`],
      ['launch: step', 'post', `/api/surveys/CPES-2026/mailings/${m}/launch`, { now: MARKER }],
      ['launch: survey', 'post', `/api/surveys/${SURVEY_LIKE}/mailings/initial/launch`, {}],
      ['pause', 'post', `/api/surveys/CPES-2026/mailings/${m}/pause`, { reason: MARKER }],
      ['pause of a step not launched', 'post', `/api/surveys/${SURVEY_LIKE}/mailings/initial/pause`, { reason: MARKER }],
      ['resume', 'post', `/api/surveys/${m}/mailings/${m}/resume`],
      ['resume of a step not launched', 'post', `/api/surveys/${SURVEY_LIKE}/mailings/reminder_1/resume`],
      ['retry-failed', 'post', `/api/surveys/${SURVEY_LIKE}/mailings/${m}/retry-failed`],
      ['reconcile', 'post', `/api/surveys/${m}/mailings/reconcile`],
      ['book a return: fields', 'post', '/api/surveys/CPES-2026/returns', { reference: MARKER.slice(0, 20), type: MARKER, receivedOn: MARKER }],
      ['book a return: reference', 'post', '/api/surveys/CPES-2026/returns', { reference: MARKER.slice(0, 20), type: 'completed' }],
      ['book a return: reference with a bad check digit', 'post', '/api/surveys/CPES-2026/returns', { reference: 'ZZQX-000001-1', type: 'completed' }],
      ['book a return: survey', 'post', `/api/surveys/${m}/returns`, { reference: ref, type: 'completed' }],
      ['online questionnaire: code', 'get', `/api/online/${m}`],
      ['online answers: code', 'post', `/api/online/${m}/response`, { answers: { [MARKER]: MARKER } }],
      ['online answers: question ids and answers', 'post', `/api/online/{code}/response`, { answers: { [MARKER]: MARKER, gp_visits: MARKER } }],
      ['find a patient: reference', 'get', `/api/surveys/CPES-2026/patients?reference=${m}`],
      ['find a patient: reference-like', 'get', `/api/surveys/CPES-2026/patients?reference=ZZQX-000001-1`],
      ['find a patient: details', 'get', `/api/surveys/CPES-2026/patients?surname=${m}&postcode=${m}&dateOfBirth=${m}`],
      ['find a patient: unknown query field', 'get', `/api/surveys/CPES-2026/patients?${m}=1`],
      ['patient record', 'get', `/api/surveys/${m}/patients/${m}`],
      ['patient record: reference', 'get', `/api/surveys/CPES-2026/patients/${m}`],
      ['patient record: reference in another survey', 'get', `/api/surveys/${SURVEY_LIKE}/patients/{ref}`],
      ['helpline contact: type', 'post', `/api/surveys/CPES-2026/patients/{ref}/contacts`, { type: MARKER }],
      ['helpline contact: date of death', 'post', `/api/surveys/CPES-2026/patients/{ref}/contacts`, { type: 'deceased', dateOfDeath: MARKER }],
      ['helpline contact: format', 'post', `/api/surveys/CPES-2026/patients/{ref}/contacts`, { type: 'alternative_format', format: MARKER }],
      ['helpline contact: address', 'post', `/api/surveys/CPES-2026/patients/{ref}/contacts`, { type: 'address_change', addressLines: [MARKER, '\u0007'], postcode: 'ZZQX 1' }],
      ['helpline contact: reference', 'post', `/api/surveys/CPES-2026/patients/${m}/contacts`, { type: 'query', notes: MARKER }],
      ['phone answers', 'post', `/api/surveys/CPES-2026/patients/{ref}/responses`, { answers: { [MARKER]: MARKER, gp_visits: MARKER } }],
      ['one-off packs', 'get', `/api/surveys/${m}/one-off-packs`],
      ['reports', 'get', `/api/surveys/${m}/reports/response-rates?format=${m}`],
      ['report over time', 'get', `/api/surveys/${m}/reports/responses-over-time`],
      ['chart: trust', 'get', `/api/surveys/CPES-2026/reports/responses-over-time.svg?trust=${m}`],
      ['chart: trust code', 'get', `/api/surveys/CPES-2026/reports/responses-over-time.svg?trust=${TRUST_LIKE}`],
      ['overall rating', 'get', `/api/surveys/${m}/reports/overall-rating`],
      ['sign-in', 'post', '/api/auth/login', { email: MARKER, password: MARKER }],
      ['password', 'post', '/api/auth/password', { currentPassword: MARKER, newPassword: MARKER }],
      ['revoke a token', 'delete', `/api/auth/tokens/${m}`],
      ['add a user: fields', 'post', '/api/users', { email: MARKER, role: MARKER, trust: MARKER }],
      ['add a user: unknown trust', 'post', '/api/users', { email: 'new.user@example.invalid', role: 'trust', trust: 'ZZQXB' }],
      ['add a user: existing address', 'post', '/api/users', { email: EMAIL_LIKE, role: 'helpline' }],
      ['disable a user', 'post', `/api/users/${m}/disable`],
      ['disable a user: unknown address', 'post', `/api/users/${encodeURIComponent('zzqx.nobody@example.invalid')}/disable`],
      ['audit', 'get', `/api/audit?survey=${m}&reference=${m}&actor=${m}&action=${m}&from=${m}&to=${m}&limit=${m}`],
      ['audit: dates', 'get', `/api/audit?from=${m}&to=${m}`],
      ['reprint: reference', 'get', `/api/patients/${m}/pack/initial`],
      ['reprint: step', 'get', `/api/patients/{ref}/pack/${m}?format=${m}`],
      ['image', 'get', `/assets/images/${m}`],
    ];

    it.each(cases().map((c) => [c[0], c]))('does not repeat %s', async (_label, [label, method, path, body]) => {
      let req = t.http()[method](fill(path)).set(t.auth);
      if (body) req = req.send(JSON.parse(fill(JSON.stringify(body))));
      const res = await req;
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
      expectNoEcho(res.text, label);
    });

    it('does not repeat a malformed JSON body', async () => {
      const res = await t.http().post('/api/surveys').set(t.auth).set('Content-Type', 'application/json').send(`{"code": "${MARKER}`);
      expect(res.status).toBe(400);
      expectNoEcho(res.text, 'malformed JSON');
    });

    it('does not repeat the file name of an upload the service refuses', async () => {
      const bad = join(tmp, `${MARKER}.csv`);
      writeFileSync(bad, 'not,the,columns\r\n1,2,3\r\n');
      for (const path of ['/api/surveys/CPES-2026/returns/files', '/api/surveys/CPES-2026/scans/files']) {
        const res = await t.http().post(path).set(t.auth).attach('file', bad);
        expect(res.status).toBe(422);
        expectNoEcho(res.text, path);
      }
      writeFileSync(bad, `reference,received_date,${MARKER}\r\n`);
      const scans = await t.http().post('/api/surveys/CPES-2026/scans/files').set(t.auth).attach('file', bad);
      expect(scans.status).toBe(422);
      expectNoEcho(scans.text, 'scan columns');
    });
  });

  describe('pages', () => {
    const pages = (): [string, 'get' | 'post', string, object?][] => [
      ['questionnaire code', 'get', `/s/${m}`],
      ['questionnaire code entered', 'post', '/s', { code: MARKER }],
      ['question number', 'get', `/s/{code}/q/${m}`],
      ['helpline search', 'get', `/helpline?survey=CPES-2026&reference=${m}`],
      ['helpline search by details', 'get', `/helpline?survey=CPES-2026&surname=${m}&postcode=${m}&dateOfBirth=${m}`],
      ['helpline patient', 'get', `/helpline/${m}/patients/${m}`],
      ['helpline form', 'get', `/helpline/CPES-2026/patients/{ref}/log/${m}`],
      ['helpline log', 'post', `/helpline/CPES-2026/patients/{ref}/log/deceased`, { dateOfDeath: MARKER }],
      ['coordinator survey', 'get', `/coordinator?survey=${m}`],
      ['new survey of a kind', 'get', `/coordinator/surveys/new?kind=${m}`],
      ['new survey kind', 'post', '/coordinator/surveys', { kind: MARKER, shownKind: MARKER, code: 'CPES-2032', maximumAge: MARKER }],
      ['coordinator reports', 'get', `/coordinator/${m}/reports`],
      ['coordinator launch', 'get', `/coordinator/CPES-2026/mailings/${m}/launch`],
      ['coordinator pause', 'post', `/coordinator/${SURVEY_LIKE}/mailings/initial/pause`, { reason: MARKER }],
      ['coordinator fieldwork start', 'post', '/coordinator/CPES-2026/fieldwork-start', { startDay: MARKER, startMonth: MARKER, startYear: MARKER }],
      ['coordinator fieldwork start survey', 'get', `/coordinator/${m}/fieldwork-start`],
      ['questionnaire part', 'get', `/s/{code}/p/${m}`],
      ['trust page', 'get', `/trust?survey=${m}&trust=${m}`],
      ['trust file', 'get', `/trust/files/${m}?trust=RXX`],
      ['sign-in', 'post', '/login', { email: MARKER, password: MARKER }],
    ];

    it.each(pages().map((c) => [c[0], c]))('does not repeat the %s in the page', async (_label, [label, method, path, body]) => {
      let req = t.http()[method](fill(path)).set(t.auth)
        .set({ Origin: 'http://localhost:3000', 'Sec-Fetch-Site': 'same-origin' });
      if (body) req = req.type('form').send(body);
      const res = await req;
      expect(res.status).toBeGreaterThanOrEqual(200);
      expectNoEcho(withoutFormValues(res.text), label);
    });
  });

  describe('command line', () => {
    // Free text the command stores or prints as the result asked for; not an error when accepted.
    // Output paths (svg, out) are where the user asked the result to be written; the unwritable ones are tested below.
    const FREE_TEXT = new Set(['name', 'reason', 'notes', 'caller', 'language', 'by', 'actor', 'action', 'svg', 'out']);
    const valid = (): Record<string, string> => ({
      survey: 'CPES-2026', trust: 'RXX', step: 'initial', ref, type: 'completed', email: EMAIL_LIKE.replace(CORE.toLowerCase(), 'someone'),
      role: 'helpline', code: 'CPES-2031', 'period-start': '2026-04-01', 'period-end': '2026-06-30', 'file-id': '00000000-0000-4000-8000-000000000000',
      date: '2026-05-01', dob: '1950-01-01', postcode: 'LS1 4AB', surname: 'Synthetic', address: 'A|B', format: 'large_print',
    });
    // Filters that rightly answer an empty result for a value that matches nothing.
    const FILTERS = new Set(['audit:list --survey', 'report:responses-over-time --trust']);
    const runs = (): [string, string[]][] => COMMANDS.filter((c) => !c.name.startsWith('db:')).flatMap((c) =>
      Object.entries(c.options).filter(([k, o]) => o.type === 'string' && !FREE_TEXT.has(k) && !FILTERS.has(`${c.name} --${k}`)).map(([k]) => {
        const args = Object.entries(c.options).filter(([, o]) => o.required).flatMap(([o]) => [`--${o}`, valid()[o] ?? MARKER]);
        const i = args.indexOf(`--${k}`);
        if (i >= 0) args[i + 1] = MARKER; else args.push(`--${k}`, MARKER);
        return [`${c.name} --${k}`, [c.name, ...args]] as [string, string[]];
      }));

    const expectCleanFailure = (run: CliRun, label: string, json: boolean) => {
      // A refusal (1) or a usage mistake (2), never an unexpected failure (70).
      expect([1, 2]).toContain(run.code);
      if (json) expect(run.json.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
      else expect(run.stderr.trim()).not.toBe('');
      expectNoEcho(run.stdout + run.stderr, label);
    };

    // In-process (the same runCli the built CLI calls) to keep 60-odd runs affordable; the
    // separate-process runs below cover the process wrapper. --json prints both outputs on failure.
    it('does not repeat any option value of any command', async () => {
      const all = runs();
      expect(all.length).toBeGreaterThan(40);
      const failures: string[] = [];
      for (const [label, args] of all) {
        let stdout = '';
        let stderr = '';
        const code = await runCli([...args, '--json'], { out: (x) => (stdout += `${x}\n`), err: (x) => (stderr += `${x}\n`) });
        let json: any;
        try { json = JSON.parse(stdout); } catch { json = undefined; }
        try {
          expectCleanFailure({ code, stdout, stderr, json }, label, true);
          expect(stderr.trim()).not.toBe('');
        } catch {
          failures.push(`${label} (exit ${code}): ${(stdout + stderr).slice(0, 300)}`);
        }
      }
      expect(failures).toEqual([]);
    }, 300_000);

    it('does not repeat an unknown command, an unknown option or a file name', async () => {
      expectCleanFailure(await cli([MARKER, '--json']), 'unknown command', true);
      expectCleanFailure(await cli(['survey:list', `--${MARKER}`]), 'unknown option', false);
      expectCleanFailure(await cli(['survey:list', `--${MARKER}`, '--json']), 'unknown option', true);
      const bad = join(tmp, `${MARKER}.csv`);
      writeFileSync(bad, 'not,the,columns\r\n1,2,3\r\n');
      for (const c of ['returns:import', 'scans:import', 'deaths:import']) {
        expectCleanFailure(await cli([c, '--survey', 'CPES-2026', '--file', bad, '--json']), `${c} file name`, true);
        expectCleanFailure(await cli([c, '--survey', 'CPES-2026', '--file', bad]), `${c} file name`, false);
      }
      expectCleanFailure(await cli(['report:responses-over-time', '--survey', 'CPES-2026', '--svg', join('/nonexistent', `${MARKER}.svg`)]), 'svg path', false);
      // Under a file, so that no folder can be made there, whoever runs the tests.
      const underAFile = join(csvFile('echo-not-a-folder.csv', [patientRow(1)]), MARKER);
      expectCleanFailure(await cli(['results:report', '--survey', 'CPES-2026', '--national', '--format', 'pdf', '--out', join(underAFile, 'r.pdf')]), 'report path', false);
      expectCleanFailure(await cli(['results:dataset', '--survey', 'CPES-2026', '--out', underAFile]), 'dataset folder', false);
    }, 120_000);
  });
});
