import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticNhsNumber } from '../bench/sample-file-generator';
import { SampleImportService } from '../src/samples/sample-import.service';
import { UsersService } from '../src/users/users.service';
import { startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { seedResultsSurvey } from './support/results-survey';
import { csvFile, patientRow } from './support/sample-files';

/**
 * Comments and the analysts' dataset on the seeded results survey, plus a third trust (RCC)
 * whose two respondents wrote comments full of identifiers. Their identities are distinctive
 * (and used by no other spec), so any copy in any output is found by searching for it.
 */
const WILHELMINA = {
  first_name: 'Wilhelmina', surname: 'Fotheringay-Plunkett', address_1: '8 Quagmire Synthetic Close', postcode: 'ZY8 8QQ',
  nhs_number: syntheticNhsNumber(77_101), patient_record_number: 'MRN-WF-7001', date_of_birth: '1949-11-23',
};
const JO = { first_name: 'Jo', surname: 'Ng', postcode: 'ZY9 9QQ', nhs_number: syntheticNhsNumber(77_102), patient_record_number: 'MRN-JN-7002' };
const spaced = (nhs: string) => `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}`;
const R = '[removed]';

const ANSWERS = [
  {
    gp_explained_referral: '1', treatment_types: ['1', '3'],
    anything_good: 'The nurse on ward 7 was lovely for 2 weeks. 10 out of 10.',
    could_improve: `wilhelmina FOTHERINGAY-PLUNKETT, 8 quagmire synthetic close, zy88qq, NHS ${spaced(WILHELMINA.nhs_number)}, born 23/11/1949.`,
    other_comments: 'Ring my daughter on 01632 960 881 or daughter.fp@example.invalid. Dr Patel was kind. Operated on 3 March 2026.',
  },
  { gp_explained_referral: '3', could_improve: 'Jo Ng here: jo said the food was cold, and an extra pillow would help.' },
];

describe("patients' comments and the analysts' dataset", () => {
  let t: TestApp;
  const tokens: Record<string, { Authorization: string }> = {};
  const planted: string[] = [];

  beforeAll(async () => {
    t = await startApp();
    await seedResultsSurvey(t);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RCC', name: 'Synthetic RCC NHS Trust' }).expect(201);
    const rows = [WILHELMINA, JO].map((p, i) => patientRow(301 + i, { trust_code: 'RCC', site_code: 'RCC01', ...p }));
    const imported = await t.app.get(SampleImportService).import({ surveyCode: 'CPES-2026', trustCode: 'RCC', path: csvFile('comments-rcc.csv', rows), fileName: 'rcc.csv', uploadedBy: 'test' });
    expect(await t.dataSource.query('SELECT status FROM sample_files WHERE id = $1', [imported])).toEqual([{ status: 'accepted' }]);
    const patients: { access_code: string; survey_reference: string }[] = await t.dataSource.query(
      `SELECT access_code, survey_reference FROM patients WHERE trust_code = 'RCC' ORDER BY row_number`);
    for (const [i, answers] of ANSWERS.entries()) await t.http().post(`/api/online/${patients[i].access_code}/response`).send({ answers }).expect(201);

    // Everything that identifies a seeded or planted patient, as stored and as written in the comments.
    const everyone: { access_code: string; survey_reference: string; nhs_number: string; patient_record_number: string; first_name: string; surname: string; postcode: string }[] =
      await t.dataSource.query('SELECT access_code, survey_reference, nhs_number, patient_record_number, first_name, surname, postcode FROM patients');
    planted.push(...everyone.flatMap((p) => [p.access_code, p.survey_reference, p.nhs_number, p.patient_record_number, p.surname, p.postcode, p.postcode.replace(' ', '')].filter((v) => v.length > 2)),
      'Testy', 'Wilhelmina', 'wilhelmina', 'Fotheringay', 'FOTHERINGAY', 'Quagmire', 'quagmire', 'zy88qq', spaced(WILHELMINA.nhs_number), '23/11/1949', '1949-11-23',
      '1950-01-01', '01632 960 881', 'daughter.fp@', '3 March 2026', 'Jo Ng');

    const users = t.app.get(UsersService);
    for (const trust of ['RBB', 'RCC']) {
      const { user } = await users.add({ email: `${trust.toLowerCase()}@example.invalid`, role: 'trust', trustCode: trust }, 'test');
      await t.dataSource.query('UPDATE users SET must_change_password = false WHERE id = $1', [user.id]);
      tokens[trust] = { Authorization: `Bearer ${(await users.createToken(user.id, 'tests')).token}` };
    }
  }, 120_000);
  afterAll(() => t.app.close());

  const leaks = (text: string) => planted.filter((p) => text.includes(p));

  it("exports one trust's comments, redacted, by question, with no patient reference", async () => {
    const run = await cli(['results:comments', '--survey', 'CPES-2026', '--trust', 'RCC', '--json']);
    expect(run.code).toBe(0);
    expect(run.json).toEqual({
      survey: 'CPES-2026', trust: 'RCC', comments: [
        { questionNumber: 54, question: 'Was there anything particularly good about your NHS cancer care?', text: 'The nurse on ward 7 was lovely for 2 weeks. 10 out of 10.' },
        // Within a question the order is a hash of the respondent, not the sample's: both are checked whatever it is.
        ...[
          { questionNumber: 55, question: 'Was there anything that could have been improved?', text: `${R}, ${R}, ${R}, NHS ${R}, born ${R}.` },
          { questionNumber: 55, question: 'Was there anything that could have been improved?', text: `${R} here: jo said the food was cold, and an extra pillow would help.` },
        ].sort((a, b) => run.json.comments.findIndex((c: { text: string }) => c.text === a.text) - run.json.comments.findIndex((c: { text: string }) => c.text === b.text)),
        { questionNumber: 56, question: 'Any other comments?', text: `Ring my daughter on ${R} or ${R}. Dr Patel was kind. Operated on ${R}.` },
      ],
    });
    expect(leaks(run.stdout)).toEqual([]);

    const csv = await cli(['results:comments', '--survey', 'CPES-2026', '--trust', 'RCC', '--csv']);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('trust,question_number,question,comment');
    expect(lines).toContain(`RCC,56,Any other comments?,Ring my daughter on ${R} or ${R}. Dr Patel was kind. Operated on ${R}.`);
    expect(lines).toHaveLength(5);
    expect(leaks(csv.stdout)).toEqual([]);
    // A trust with respondents but no comments.
    expect((await cli(['results:comments', '--survey', 'CPES-2026', '--trust', 'RAA', '--json'])).json.comments).toEqual([]);
  });

  it('serves the comments over the API to the trust and coordinators only, as JSON or CSV, each read audited', async () => {
    const json = await t.http().get('/api/surveys/CPES-2026/results/comments').query({ trust: 'RCC' }).set(tokens.RCC).expect(200);
    expect(json.body.comments).toHaveLength(4);
    expect(leaks(JSON.stringify(json.body))).toEqual([]);
    const csv = await t.http().get('/api/surveys/CPES-2026/results/comments').query({ trust: 'RCC', format: 'csv' }).set(t.auth).expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('comments-CPES-2026-RCC.csv');
    expect(csv.text.split('\r\n')[0]).toBe('trust,question_number,question,comment');
    expect(leaks(csv.text)).toEqual([]);

    const other = await t.http().get('/api/surveys/CPES-2026/results/comments').query({ trust: 'RCC' }).set(tokens.RBB).expect(403);
    expect(other.body.error.code).toBe('forbidden');
    const none = await t.http().get('/api/surveys/CPES-2026/results/comments').set(t.auth).expect(400);
    expect(none.body.error.details).toEqual([{ where: 'trust', message: 'required' }]);
    await t.http().get('/api/surveys/CPES-2026/results/comments').query({ trust: 'RZZ' }).set(t.auth).expect(404);
    // Whose comments were read is in the trail (the trust asked for in the query string).
    const audited = await t.dataSource.query(`SELECT actor_role, subject FROM audit_log WHERE action = 'results.comments' ORDER BY id`);
    expect(audited).toEqual([{ actor_role: 'trust', subject: 'RCC' }, { actor_role: 'coordinator', subject: 'RCC' }]);
  });

  it('writes one row per respondent with coded answers and groups, in a stable order unrelated to the sample, and no identifier', async () => {
    const out = mkdtempSync(join(tmpdir(), 'dataset-'));
    const run = await cli(['results:dataset', '--survey', 'CPES-2026', '--out', out, '--json']);
    expect(run.code).toBe(0);
    // 42 seeded respondents (the blank return is none) and the two of RCC.
    expect(run.json).toMatchObject({ survey: 'CPES-2026', respondents: 44 });
    const files = ['dataset.csv', 'codebook.csv', 'codebook.json'].map((f) => readFileSync(join(out, f), 'utf8'));
    for (const text of files) expect(leaks(text)).toEqual([]);
    // No free text either: not even the ordinary words of a comment.
    for (const text of files) for (const words of ['lovely', 'pillow', 'Dr Patel', 'Ring my daughter']) expect(text.includes(words)).toBe(false);

    const [header, ...rows] = files[0].trimEnd().split('\r\n').map((l) => l.split(','));
    expect(header.slice(0, 11)).toEqual(['respondent', 'trust', 'icb', 'cancer_alliance', 'tumour_group', 'age_band', 'sex', 'ethnic_group',
      'imd_quintile', 'secondary_breast_cancer', 'mode']);
    expect(header).toEqual(expect.arrayContaining(['q_gp_explained_referral', 'q_overall_rating', 'q_treatment_types_1', 'q_treatment_types_7', 'q_ethnic_group']));
    for (const forbidden of ['q_anything_good', 'q_could_improve', 'q_other_comments', 'nhs_number', 'postcode', 'surname', 'access_code', 'patient_record_number']) {
      expect(header).not.toContain(forbidden);
    }
    expect(rows).toHaveLength(44);
    expect(rows.map((r) => r[0])).toEqual(rows.map((_, i) => String(i + 1)));
    const col = (name: string) => header.indexOf(name);
    // Not in sample order: the trusts are interleaved, not RAA…, RBB…, RCC….
    const trusts = rows.map((r) => r[col('trust')]);
    expect(trusts.filter((x, i) => i > 0 && x !== trusts[i - 1]).length).toBeGreaterThan(5);
    // Wilhelmina's row: her answers as codes, multiple choice as 0/1 per option, Breast (2), 75–84 (7), female (2), White (1), online (2).
    const hers = rows.find((r) => r[col('trust')] === 'RCC' && r[col('q_gp_explained_referral')] === '1')!;
    expect(Object.fromEntries(header.map((h, i) => [h, hers[i]]))).toMatchObject({
      tumour_group: '2', age_band: '7', sex: '2', ethnic_group: '1', secondary_breast_cancer: '0', mode: '2',
      q_treatment_types_1: '1', q_treatment_types_2: '0', q_treatment_types_3: '1', q_overall_rating: '', q_ethnic_group: '',
    });
    // Someone who did not answer the multiple-choice question has blanks there, not zeros.
    const jos = rows.find((r) => r[col('trust')] === 'RCC' && r[col('q_gp_explained_referral')] === '3')!;
    expect(jos[col('q_treatment_types_1')]).toBe('');

    // Stable: the same order again, and the API gives the same file.
    const again = await t.http().get('/api/surveys/CPES-2026/results/dataset?format=csv').set(t.auth).expect(200);
    expect(again.text).toBe(files[0]);
  });

  it('describes every column and every code in the codebook, as CSV and JSON', async () => {
    const json = await t.http().get('/api/surveys/CPES-2026/results/codebook?format=json').set(t.auth).expect(200);
    const dataset = (await t.http().get('/api/surveys/CPES-2026/results/dataset?format=csv').set(t.auth).expect(200)).text;
    const [header, ...rows] = dataset.trimEnd().split('\r\n').map((l) => l.split(','));
    const columns: { name: string; type: string; meaning: string; codes?: { code: string; label: string }[] }[] = json.body.columns;
    expect(columns.map((c) => c.name)).toEqual(header);
    for (const [i, c] of columns.entries()) {
      expect(c.meaning.length).toBeGreaterThan(3);
      if (!c.codes) continue;
      const used = new Set(rows.map((r) => r[i]).filter((v) => v !== ''));
      for (const v of used) expect([c.name, c.codes.some((code) => code.code === v)]).toEqual([c.name, true]);
    }
    expect(columns.find((c) => c.name === 'trust')!.codes).toEqual([
      { code: 'RAA', label: 'Synthetic RAA NHS Trust' }, { code: 'RBB', label: 'Synthetic RBB NHS Trust' }, { code: 'RCC', label: 'Synthetic RCC NHS Trust' }]);
    expect(columns.find((c) => c.name === 'q_gp_explained_referral')!.codes![0]).toEqual({ code: '1', label: expect.any(String) });

    const csv = await t.http().get('/api/surveys/CPES-2026/results/codebook?format=csv').set(t.auth).expect(200);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('column,question,type,meaning,blank_means,code,label');
    expect(lines).toContain('sex,,code,"Sex, from the sample file",,9,other or not known');
    expect(lines.filter((l) => l.startsWith('q_treatment_types_1,39,flag,'))).toHaveLength(2);
  });

  it('keeps the dataset and codebook from trust users, and audits every coordinator read', async () => {
    for (const path of ['dataset?format=csv', 'codebook?format=json', 'codebook?format=csv']) {
      await t.http().get(`/api/surveys/CPES-2026/results/${path}`).set(tokens.RCC).expect(403);
    }
    const actions = await t.dataSource.query(
      `SELECT action, count(*)::int AS n FROM audit_log WHERE action IN ('results.dataset', 'results.codebook') GROUP BY action ORDER BY action`);
    expect(actions).toEqual([{ action: 'results.codebook', n: 2 }, { action: 'results.dataset', n: 2 }]);
  });
});
