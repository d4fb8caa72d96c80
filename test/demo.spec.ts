import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { localRoot } from './support/stored';
import { resetDatabase, startApp, TestApp } from './support/app';

/** `npm run demo` loads its synthetic survey, starts the service and says where to sign in. */
describe('the demo', () => {
  let t: TestApp;
  let demo: ChildProcess;
  let output = '';

  beforeAll(async () => {
    t = await startApp();
    await resetDatabase(t.dataSource);
  });
  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      demo.kill('SIGTERM');
      await once(demo, 'exit');
    }
    // The demo's print files and outbox e-mails stay out of the next test's storage folder.
    for (const dir of ['print', 'outbox']) rmSync(join(localRoot(t.app), dir), { recursive: true, force: true });
    await t.app.close();
  });

  it('gives every kind of user something to see, and a coordinator can sign in', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    demo = spawn(process.execPath, [join(__dirname, '..', 'dist/src/demo/demo.js')], {
      env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout!.on('data', (d) => (output += d));
    demo.stderr!.on('data', (d) => (output += d));
    for (let i = 0; !output.includes('Sign in at'); i++) {
      if (i > 600 || demo.exitCode !== null) throw new Error(`the demo did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain('coordinator@demo.invalid');
    const password = /password "([^"]+)"/.exec(output)![1];

    const [counts] = await t.dataSource.query(`
      SELECT (SELECT count(*)::int FROM trusts) AS trusts, (SELECT count(*)::int FROM patients) AS patients,
             (SELECT count(*)::int FROM mailings WHERE status = 'sent') AS sent, (SELECT count(*)::int FROM responses) AS responses,
             (SELECT count(*)::int FROM patient_events WHERE source = 'helpline') AS calls`);
    expect(counts.trusts).toBe(4);
    expect(counts.patients).toBeGreaterThan(100);
    expect(counts.sent).toBeGreaterThan(100);
    expect(counts.responses).toBe(10 + 9);
    expect(counts.calls).toBe(3);

    // The small Under-16 survey: a PTC, every age band sent its own questionnaire, the 16-year-old
    // excluded, and families answering one part or both.
    const [u16] = await t.dataSource.query(`
      SELECT s.kind, (SELECT ptc FROM trusts WHERE code = 'RDP') AS ptc,
             (SELECT array_agg(DISTINCT questionnaire ORDER BY questionnaire) FROM patients p WHERE p.survey_id = s.id) AS questionnaires,
             (SELECT count(*)::int FROM sample_file_exclusions x JOIN sample_files f ON f.id = x.sample_file_id
               WHERE f.survey_id = s.id AND x.reason = 'over_15') AS over15,
             (SELECT count(*)::int FROM mailings m WHERE m.survey_id = s.id AND m.channel = 'postal' AND m.status = 'sent') AS posted,
             (SELECT json_object_agg(part, n) FROM (SELECT r.part, count(*)::int AS n FROM responses r JOIN patients p ON p.id = r.patient_id
               WHERE p.survey_id = s.id GROUP BY r.part) x) AS parts,
             (SELECT count(*)::int FROM patients p WHERE p.survey_id = s.id AND p.responded_on IS NOT NULL) AS responded
        FROM surveys s WHERE s.code = 'DEMO-U16-2026'`);
    expect(u16).toMatchObject({ kind: 'under16', ptc: true, questionnaires: ['u16-0-7', 'u16-12-15', 'u16-8-11'], over15: 1, posted: 32 });
    expect(u16.parts).toEqual({ child: 4, parent: 5 });
    expect(u16.responded).toBe(7);

    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'coordinator@demo.invalid', password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const page = await fetch(`http://127.0.0.1:${port}/coordinator`, { headers: { Cookie: cookie } });
    const dashboard = await page.text();
    expect(dashboard).toContain('DEMO-2026');
    expect(dashboard).toContain('DEMO-U16-2026');
  }, 90_000); // the demo prints, e-mails and books a whole synthetic survey before it starts listening
});
