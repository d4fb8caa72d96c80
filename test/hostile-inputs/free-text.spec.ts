import { startApp, TestApp } from '../support/app';
import { userWithPassword } from '../support/browser';
import { lockedSurvey, SampledPatient } from '../support/mailing-survey';
import { patientRow } from '../support/sample-files';

/**
 * Free text as an attacker sends it: NUL characters (PostgreSQL cannot store them), objects
 * where text is expected, and question ids that name JavaScript's own properties. Each is
 * refused with 400 and the field named, nothing is stored and an access code stays unspent.
 */
describe('hostile free text', () => {
  let t: TestApp;
  let patients: SampledPatient[];
  const NUL = '\u0000';
  const submit = (code: string, answers: unknown) => t.http().post(`/api/online/${code}/response`).send({ answers });
  const nothingStored = async (code: string) => {
    expect(await t.dataSource.query('SELECT * FROM responses')).toEqual([]);
    expect(await t.dataSource.query('SELECT * FROM response_drafts')).toEqual([]);
    expect((await t.http().get(`/api/online/${code}`).expect(200)).body.open).toBe(true);
  };
  const wheres = (body: { error: { details?: { where?: string }[] } }) => (body.error.details ?? []).map((d) => d.where);

  beforeAll(async () => { t = await startApp(); });
  afterAll(async () => { await t.app.close(); });
  beforeEach(async () => {
    patients = await lockedSurvey(t, [patientRow(1), patientRow(2)]);
    await t.dataSource.query('DELETE FROM access_code_failures');
  });

  describe('a NUL character', () => {
    it('refuses it in an online answer with 400 naming the question, and leaves the code unspent', async () => {
      const code = patients[0].access_code;
      const res = await submit(code, { gp_visits: '1', anything_good: `The nurses${NUL}were kind` }).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(wheres(res.body)).toEqual(['answers.anything_good']);
      expect(JSON.stringify(res.body)).not.toContain('nurses');
      await nothingStored(code);
    });

    it('refuses it in a helpline note, a query, a route value and a JSON key, never with a 500', async () => {
      const ref = patients[0].reference;
      const note = await t.http().post(`/api/surveys/CPES-2026/patients/${ref}/contacts`).set(t.auth)
        .send({ type: 'query', notes: `Rang about${NUL}the letter` }).expect(400);
      expect(wheres(note.body)).toEqual(['notes']);
      expect(await t.dataSource.query(`SELECT * FROM patient_events`)).toEqual([]);

      const search = await t.http().get('/api/surveys/CPES-2026/patients').set(t.auth)
        .query({ surname: `Smi${NUL}th`, postcode: 'LS1 4AP', dateOfBirth: '1950-01-01' }).expect(400);
      expect(wheres(search.body)).toEqual(['surname']);

      const route = await t.http().get('/api/surveys/CPES%00-2026/patients').set(t.auth).query({ reference: ref }).expect(400);
      expect(wheres(route.body)).toEqual(['survey']);

      const key = await submit(patients[0].access_code, { [`gp_visits${NUL}`]: '1' }).expect(400);
      expect(wheres(key.body)).toEqual(['answers']);
      // A name the caller made up is not repeated either: it is "(unnamed field)".
      const under = await submit(patients[0].access_code, { [`ZZ<b>'OR'1`]: `x${NUL}` }).expect(400);
      expect(wheres(under.body)).toEqual(['answers.(unnamed field)']);
      expect(JSON.stringify(under.body)).not.toContain('ZZ<b>');
      await nothingStored(patients[0].access_code);
    });

    it('answers a page with its error summary, not a crash', async () => {
      const code = patients[0].access_code;
      const answer = await t.http().post(`/s/${code}/q/53`).type('form').send({ answer: `Kind${NUL}staff` }).expect(400);
      expect(answer.text).toContain('nhsuk-error-summary');
      expect(answer.text).toContain('There is a problem');
      expect(answer.text).toContain(`href="/s/${code}/q/53"`); // back to the question
      await nothingStored(code);

      const login = await t.http().post('/login').type('form').send({ email: `jo${NUL}@example.invalid`, password: 'x' }).expect(400);
      expect(login.text).toContain('nhsuk-error-summary');
      expect(login.headers['set-cookie']).toBeUndefined();
    });
  });

  describe('an object where text is expected', () => {
    it('refuses it for a text answer over the API, naming the question and not repeating the value', async () => {
      const code = patients[0].access_code;
      for (const value of [{ toString: 'sneaky' }, ['The nurses'], { text: 'The nurses' }]) {
        const res = await submit(code, { gp_visits: '1', anything_good: value }).expect(400);
        expect(wheres(res.body)).toEqual(['anything_good']);
        expect(JSON.stringify(res.body)).not.toMatch(/sneaky|nurses/);
      }
      await submit(code, { gp_visits: { code: '1' } }).expect(400);
      await submit(code, { overall_rating: [9] }).expect(400);
      await submit(code, { treatment_types: [{ code: '1' }] }).expect(400);
      await nothingStored(code);
    });

    it('refuses it for a text answer in the page flow, showing the question with its error', async () => {
      const code = patients[0].access_code;
      const res = await t.http().post(`/s/${code}/q/53`).type('form').send('answer[text]=The+nurses').expect(400);
      expect(res.text).toContain('nhsuk-error-summary');
      expect(res.text).not.toContain('The nurses');
      await nothingStored(code);
    });

    it('refuses it in a helpline form field or a new password, showing the form with its error', async () => {
      const signInPassword = await userWithPassword(t, 'jo.helpline@example.invalid', 'helpline');
      const cookie = (await t.http().post('/login').type('form').send({ email: 'jo.helpline@example.invalid', password: signInPassword }).expect(303))
        .headers['set-cookie'][0].split(';')[0];
      const res = await t.http().post(`/helpline/CPES-2026/patients/${patients[0].reference}/log/query`).set('Cookie', cookie)
        .type('form').send('notes[text]=Rang+about+the+letter').expect(400);
      expect(res.text).toContain('nhsuk-error-summary');
      expect(res.text).toContain('What the caller asked must be text');
      expect(res.text).not.toContain('Rang about');
      expect(await t.dataSource.query('SELECT * FROM patient_events')).toEqual([]);

      const password = await t.http().post('/password').set('Cookie', cookie).type('form')
        .send(`currentPassword=${encodeURIComponent(signInPassword)}&newPassword[text]=a+long+synthetic+passphrase`).expect(400);
      expect(password.text).toContain('nhsuk-error-summary');
    });
  });

  describe('question ids that are not questions', () => {
    it.each(['constructor', '__proto__', 'prototype', 'hasOwnProperty', 'nonsense'])(
      'refuses %s with 400, storing nothing and leaving the code unspent', async (id) => {
        const code = patients[0].access_code;
        const body = `{"answers": {"gp_visits": "1", "${id}": {"polluted": "yes"}}}`;
        const res = await t.http().post(`/api/online/${code}/response`).set('Content-Type', 'application/json').send(body).expect(400);
        expect(wheres(res.body)).toEqual(['answers']);
        expect(JSON.stringify(res.body)).not.toContain('polluted');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        await nothingStored(code);
      });
  });
});
