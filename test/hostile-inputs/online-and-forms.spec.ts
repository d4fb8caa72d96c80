import request from 'supertest';
import { startApp, TestApp } from '../support/app';
import { serve, userWithPassword } from '../support/browser';
import { lockedSurvey, SampledPatient } from '../support/mailing-survey';
import { patientRow } from '../support/sample-files';

/**
 * Guessing access codes through every way in at once, from two HTTP processes sharing the
 * database; and forms posted from another site (login CSRF and its kin).
 */
describe('online questionnaire and forms under attack', () => {
  let t: TestApp;
  let other: TestApp;
  let base: string;
  let otherBase: string;
  let patients: SampledPatient[];
  const unknownCode = (i: number) => {
    const alphabet = 'ABCDEFGHJKMNPQRTUVWXYZ23456789';
    return `ZZZZ-${alphabet[i % alphabet.length]}${alphabet[Math.floor(i / alphabet.length)]}ZZ-ZZZZ`;
  };

  beforeAll(async () => {
    t = await startApp();
    other = await startApp();
    base = await serve(t);
    otherBase = await serve(other);
  });
  afterAll(async () => {
    await other.app.close();
    await t.app.close();
  });
  beforeEach(async () => {
    patients = await lockedSurvey(t, [patientRow(1), patientRow(2)]);
  });

  describe('unknown access codes', () => {
    it('answers at most ten unknown codes from one address in 15 minutes, whichever route and process they use', async () => {
      const attempts = Array.from({ length: 60 }, (_, i) => {
        const server = i % 2 ? otherBase : base;
        const code = unknownCode(i);
        switch (i % 3) {
          case 0: return request(server).get(`/s/${code}`);
          case 1: return request(server).get(`/api/online/${code}`);
          default: return request(server).post(`/api/online/${code}/response`).send({ answers: {} });
        }
      });
      const answers = await Promise.all(attempts.map((r) => r.then((res) => res)));
      const statuses = answers.map((res) => res.status);
      expect(statuses.filter((s) => s !== 404 && s !== 429)).toEqual([]);
      expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(10);
      expect(statuses.filter((s) => s === 404).length).toBeGreaterThan(0);
      const heldApi = answers.find((res) => res.status === 429 && res.type === 'application/json')!;
      expect(heldApi.body.error).toMatchObject({ code: 'too_many_requests', message: expect.stringMatching(/Wait 15 minutes/) });
      const heldPage = answers.find((res) => res.status === 429 && res.type === 'text/html')!;
      expect(heldPage.text).toContain('Please wait before trying again');

      // Held back everywhere, even with a real code, until the window passes.
      const real = patients[0].access_code;
      await request(base).get(`/api/online/${real}`).expect(429);
      await request(otherBase).post(`/api/online/${real}/response`).send({ answers: { gp_visits: '1' } }).expect(429);
      await request(base).get(`/s/${real}`).expect(429);
      expect(await t.dataSource.query('SELECT * FROM responses')).toEqual([]);

      await t.dataSource.query(`UPDATE access_code_failures SET at = at - interval '16 minutes'`);
      await request(otherBase).get(`/api/online/${real}`).expect(200);
    });

    it('does not count codes that open a questionnaire', async () => {
      for (let i = 0; i < 12; i++) await request(base).get(`/api/online/${patients[i % 2].access_code}`).expect(200);
      for (let i = 0; i < 10; i++) await request(base).get(`/api/online/${unknownCode(i)}`).expect(404);
      await request(base).get(`/api/online/${unknownCode(10)}`).expect(429);
    });
  });

  describe('forms posted from another site', () => {
    let password: string;
    const login = (headers: Record<string, string>) =>
      request(base).post('/login').set(headers).type('form').send({ email: 'jo@example.invalid', password });
    beforeEach(async () => { password = await userWithPassword(t, 'jo@example.invalid', 'helpline'); });

    it('refuses a sign-in from another origin or site, setting no session cookie', async () => {
      const foreign: Record<string, string>[] = [
        { Origin: 'https://evil.example' },
        { 'Sec-Fetch-Site': 'cross-site' },
        { 'Sec-Fetch-Site': 'same-site', Origin: 'http://other.127.0.0.1.nip.io' },
        { Origin: 'null' },
      ];
      for (const headers of foreign) {
        const res = await login(headers).expect(403);
        expect(res.headers['set-cookie']).toBeUndefined();
        expect(res.text).toContain('another site');
      }
      expect(await t.dataSource.query('SELECT * FROM sessions')).toEqual([]);
    });

    it('accepts a sign-in from its own pages, and from a script that sends neither header', async () => {
      const own: Record<string, string>[] = [{ Origin: base, 'Sec-Fetch-Site': 'same-origin' }, { Origin: 'http://localhost:3000' }, {}];
      for (const headers of own) {
        const res = await login(headers).expect(303);
        expect(res.headers['set-cookie']?.[0]).toMatch(/^fieldwork_session=/);
      }
    });

    it('refuses cross-site posts of every kind: a signed-in API call, a helpline log, an online answer', async () => {
      const cookie = (await login({}).expect(303)).headers['set-cookie'][0].split(';')[0];
      const evil = { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' };
      const token = await request(base).post('/api/auth/tokens').set('Cookie', cookie).set(evil).send({ name: 'stolen' }).expect(403);
      expect(token.body.error.code).toBe('forbidden');
      await request(base).post(`/helpline/CPES-2026/patients/${patients[0].reference}/log/opt_out`).set('Cookie', cookie).set(evil)
        .type('form').send({ reason: 'forged' }).expect(403);
      await request(base).post(`/api/online/${patients[0].access_code}/response`).set(evil).send({ answers: { gp_visits: '1' } }).expect(403);
      await request(base).post(`/s/${patients[0].access_code}/q/1`).set(evil).type('form').send({ answer: '1' }).expect(403);
      expect(await t.dataSource.query('SELECT * FROM api_tokens')).toEqual([]);
      expect(await t.dataSource.query(`SELECT * FROM patient_events`)).toEqual([]);
      expect(await t.dataSource.query('SELECT * FROM response_drafts')).toEqual([]);

      // Scripts with a bearer token send neither header, and reads are never refused.
      await request(base).post('/api/auth/tokens').set('Cookie', cookie).send({ name: 'script' }).expect(201);
      await request(base).get('/api/auth/me').set('Cookie', cookie).set(evil).expect(200);
    });
  });
});
