import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { lockedSurvey, SampledPatient } from './support/mailing-survey';
import { csvFile, patientRow } from './support/sample-files';
import { TEST_OPERATOR_TOKEN } from './support/test-env';

const root = join(__dirname, '..');
const PERSON = { first_name: 'Ottoline', surname: 'Quixote-Zebedee', address_1: '17 Marzipan Synthetic Row', email: 'ottoline.quixote@example.invalid' };

/**
 * The built HTTP service in a process of its own, its output captured, fed requests that carry
 * patient data and fail: neither its logs nor its error answers may repeat that data.
 */
describe('patient data stays out of logs and error messages', () => {
  let t: TestApp;
  let server: ChildProcess;
  let output = '';
  let base: string;
  let patient: SampledPatient;
  let identifiers: string[];
  const auth = { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, 'Content-Type': 'application/json' };

  beforeAll(async () => {
    t = await startApp();
    [patient] = await lockedSurvey(t, [patientRow(1, PERSON), patientRow(2)]);
    identifiers = [PERSON.first_name, PERSON.surname, PERSON.address_1, PERSON.email, patient.nhs_number, patient.access_code, 'PRN1'];
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    server = spawn(process.execPath, [join(root, 'dist/src/main.js')], {
      cwd: root, env: { ...process.env, PORT: String(port), OPERATOR_TOKEN: TEST_OPERATOR_TOKEN, LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) break;
      if (i > 150) throw new Error(`the service did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    server.kill('SIGTERM');
    if (server.exitCode === null) await once(server, 'exit');
    await t.app.close();
  });

  it('answers bad input with where and what, never with the values', async () => {
    const bodies: string[] = [];
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = auth) => {
      const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      if (res.status >= 400) bodies.push(text);
      return res.status;
    };
    const ref = patient.reference;
    expect(await call('GET', `/api/surveys/CPES-2026/patients?surname=${PERSON.surname}&postcode=${encodeURIComponent(PERSON.address_1)}&dateOfBirth=1950-01-01`)).toBe(400);
    expect(await call('POST', `/api/surveys/CPES-2026/patients/${ref}/contacts`,
      { type: 'address_change', addressLines: [PERSON.address_1, PERSON.surname], postcode: PERSON.first_name })).toBe(400);
    expect(await call('POST', `/api/surveys/CPES-2026/patients/${ref}/contacts`, { type: 'deceased', dateOfDeath: PERSON.first_name })).toBe(400);
    expect(await call('POST', '/api/surveys/CPES-2026/returns', { reference: patient.nhs_number, type: 'completed' })).toBe(400);
    expect(await call('POST', '/api/surveys/CPES-2026/returns', { reference: ref, type: PERSON.surname })).toBe(400);
    expect(await call('POST', `/api/online/${patient.access_code}/response`, { answers: { gp_visits: PERSON.surname, anything_good: `${PERSON.first_name} `.repeat(500) } },
      { 'Content-Type': 'application/json' })).toBe(400);
    expect(await call('POST', '/api/auth/login', { email: PERSON.email, password: PERSON.surname }, { 'Content-Type': 'application/json' })).toBe(401);
    // A sample row with names where codes belong: the report says which row and column, not what was there.
    expect(await call('POST', '/api/surveys', { code: 'CPES-2027', periodStart: '2026-04-01', periodEnd: '2026-06-30' })).toBe(201);
    const upload = new FormData();
    const file = csvFile('names-in-codes.csv', [patientRow(3, { ...PERSON, sex: PERSON.first_name, icd10: PERSON.surname, patient_type: PERSON.email, nhs_funded: PERSON.address_1 }),
      ...[4, 5, 6, 7, 8].map((n) => patientRow(n))]);
    upload.append('file', new Blob([readFileSync(file)]), 'names-in-codes.csv');
    const report = await fetch(`${base}/api/surveys/CPES-2027/trusts/RXX/sample-files`, { method: 'POST', headers: { Authorization: auth.Authorization }, body: upload });
    const reportText = await report.text();
    expect(JSON.parse(reportText).rejectedRows.map((r: { column: string }) => r.column).sort()).toEqual(['icd10', 'nhs_funded', 'patient_type', 'sex']);
    bodies.push(reportText);

    const leaks = bodies.filter((b) => identifiers.some((id) => b.includes(id)));
    expect(leaks).toEqual([]);
    expect(bodies.length).toBe(8);
  });

  it('keeps the service log free of patient data, through reads, changes and failures', async () => {
    const ok = await fetch(`${base}/api/surveys/CPES-2026/patients/${patient.reference}`, { headers: auth });
    expect(((await ok.json()) as { surname: string }).surname).toBe(PERSON.surname); // the read itself shows the patient, as it should
    const cliRun = await cli(['helpline:log', '--ref', patient.reference, '--type', 'address_change', '--address', `${PERSON.address_1}|${PERSON.surname}`, '--postcode', PERSON.first_name]);
    expect(cliRun.code).toBe(1);
    expect(identifiers.filter((id) => `${cliRun.stdout}${cliRun.stderr}`.includes(id))).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(output).toContain('HTTP service listening');
    expect(identifiers.filter((id) => output.includes(id))).toEqual([]);
  });

  it('logs JSON lines with a request id on each, and neither the access code in a path nor a name in a form body', async () => {
    const started = output.length;
    const code = patient.access_code;
    const form = (extra: Record<string, string>) => fetch(`${base}/s/${code}/q/1?code=${code}`, {
      method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base, Referer: `${base}/s/${code}/q/1`, ...extra },
      body: new URLSearchParams({ answer: `${PERSON.first_name} ${PERSON.surname}`, comment: PERSON.address_1 }).toString(),
    });
    const given = await form({ 'X-Request-Id': 'lb-7f3a9c.001' });
    expect(given.headers.get('x-request-id')).toBe('lb-7f3a9c.001');
    const made = await form({ 'X-Request-Id': 'not ok <script>' });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const page = await fetch(`${base}/s/${code}`, { headers: { Cookie: `fieldwork_session=${PERSON.email}` } });
    expect(page.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));

    const lines = output.slice(started).split('\n').filter((l) => l.trim());
    const entries = lines.map((l) => JSON.parse(l) as { requestId?: string; req?: { url: string } });
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(entries.filter((e) => !e.requestId)).toEqual([]);
    expect(entries.map((e) => e.requestId)).toEqual(expect.arrayContaining(['lb-7f3a9c.001', made.headers.get('x-request-id')]));
    expect(entries.filter((e) => e.req).map((e) => e.req!.url)).toEqual(expect.arrayContaining(['/s/[code]/q/1', '/s/[code]']));
    expect([code, code.replace(/-/g, ''), ...identifiers].filter((id) => lines.some((l) => l.includes(id)))).toEqual([]);
  });
});
