import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { QUEUE_NAMES } from '../src/infra/queues/job-catalogue';
import { EMAILS_PER_JOB } from '../src/mailings/mailing-jobs';
import { WavesService } from '../src/mailings/waves.service';
import { startApp, TestApp } from './support/app';
import { lockedSurvey, SampledPatient, settled } from './support/mailing-survey';
import { patientRow } from './support/sample-files';
import { SmtpSink } from './support/smtp-sink';

const root = join(__dirname, '..');
const TOKEN = 'metrics-token-for-the-tests-0123456789';
const PATIENTS = 12;

/** A metric's value from Prometheus text, by name and exact labels. */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (wanted.every(([k, v]) => have[k] === v) && Object.keys(have).length === wanted.length) return Number(m[3]);
  }
  return undefined;
}

describe('Prometheus metrics', () => {
  it('are off (404) when METRICS_TOKEN is not set', async () => {
    delete process.env.METRICS_TOKEN;
    const t = await startApp();
    try {
      await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
    } finally {
      await t.app.close();
    }
  });

  describe('with METRICS_TOKEN set', () => {
    let t: TestApp;
    let smtp: SmtpSink;
    let worker: ChildProcess;
    let patients: SampledPatient[];
    const metricsPort = 20_000 + Math.floor(Math.random() * 20_000);

    beforeAll(async () => {
      process.env.METRICS_TOKEN = TOKEN;
      t = await startApp();
      smtp = await new SmtpSink().start();
    });
    afterAll(async () => {
      delete process.env.METRICS_TOKEN;
      if (worker && worker.exitCode === null) {
        worker.kill('SIGTERM');
        await once(worker, 'exit');
      }
      await smtp.stop();
      await t.app.close();
    });

    const scrape = async () => (await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;

    it('refuses a scrape without the token or with another one', async () => {
      await t.http().get('/metrics').expect(401);
      await t.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
      await t.http().get('/metrics').set('Authorization', TOKEN).expect(401);
    });

    it('reports requests by route template, queues, sends, imports and the pool, with no patient data in any label', async () => {
      patients = await lockedSurvey(t, Array.from({ length: PATIENTS }, (_, i) => patientRow(i + 1, { email: `metrics${i + 1}@example.invalid` })));
      const [p] = patients;
      await t.http().get(`/s/${p.access_code}`).expect(200);
      await t.http().get(`/api/surveys/CPES-2026/patients/${p.reference}`).set(t.auth).expect(200);
      await t.http().get(`/api/surveys/CPES-2026/patients?nhsNumber=${p.nhs_number}&email=${encodeURIComponent(p.email!)}`).set(t.auth);
      await t.http().get(`/no-such-page/${p.access_code}`).expect(404);

      await t.app.get(WavesService).launch('CPES-2026', 'initial', 'test');
      const queued = await scrape();
      // Jobs, not e-mails: a wave's e-mails wait ten rows to a job.
      expect(value(queued, 'fieldwork_queue_jobs', { queue: 'email', state: 'waiting' })).toBe(Math.ceil(PATIENTS / EMAILS_PER_JOB));
      expect(value(queued, 'fieldwork_queue_oldest_waiting_seconds', { queue: 'email' })).toBeGreaterThanOrEqual(0);
      for (const q of QUEUE_NAMES) {
        for (const state of ['waiting', 'delayed', 'active']) expect(value(queued, 'fieldwork_queue_jobs', { queue: q, state })).toBeDefined();
      }

      worker = spawn(process.execPath, [join(root, 'dist/src/worker.js')], {
        cwd: root, env: { ...process.env, ...smtp.env(), METRICS_TOKEN: TOKEN, METRICS_PORT: String(metricsPort) }, stdio: 'ignore',
      });
      await settled(t, 'initial', 60_000);
      const text = await scrape();

      expect(value(text, 'fieldwork_http_request_duration_seconds_count', { method: 'GET', route: '/s/:code', status_class: '2xx' })).toBe(1);
      expect(value(text, 'fieldwork_http_request_duration_seconds_count', { method: 'GET', route: '/api/surveys/:survey/patients/:ref', status_class: '2xx' })).toBe(1);
      expect(value(text, 'fieldwork_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_class: '4xx' })).toBe(1);
      expect(value(text, 'fieldwork_mailings', { survey: 'CPES-2026', channel: 'email', status: 'sent' })).toBe(PATIENTS);
      expect(value(text, 'fieldwork_mailings', { survey: 'CPES-2026', channel: 'postal', status: 'sent' })).toBe(PATIENTS);
      expect(value(text, 'fieldwork_sample_import_rows', { survey: 'CPES-2026', outcome: 'read' })).toBe(PATIENTS);
      expect(value(text, 'fieldwork_sample_import_rows', { survey: 'CPES-2026', outcome: 'rejected' })).toBe(0);
      expect(value(text, 'fieldwork_sample_files', { survey: 'CPES-2026', status: 'accepted' })).toBe(1);
      expect(value(text, 'fieldwork_queue_jobs', { queue: 'email', state: 'waiting' })).toBe(0);
      expect(value(text, 'fieldwork_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
      expect(text).toContain('process_cpu_seconds_total');

      // The worker's own /metrics: its jobs by queue and outcome, with durations.
      const workerUrl = `http://127.0.0.1:${metricsPort}/metrics`;
      expect((await fetch(workerUrl)).status).toBe(401);
      const workerText = await (await fetch(workerUrl, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
      expect(value(workerText, 'fieldwork_jobs_total', { queue: 'email', outcome: 'completed' })).toBe(Math.ceil(PATIENTS / EMAILS_PER_JOB));
      expect(value(workerText, 'fieldwork_jobs_total', { queue: 'postal', outcome: 'completed' })).toBeGreaterThanOrEqual(1);
      expect(value(workerText, 'fieldwork_job_duration_seconds_count', { queue: 'email', outcome: 'completed' })).toBe(Math.ceil(PATIENTS / EMAILS_PER_JOB));

      const identifying = patients.flatMap((x) => [x.access_code, x.nhs_number, x.email!, x.surname, x.reference]);
      expect(identifying.filter((id) => text.includes(id) || workerText.includes(id))).toEqual([]);
    }, 120_000);
  });
});
