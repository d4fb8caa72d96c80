import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobQueue } from '../src/infra/queues/job-queue';
import { startApp, TestApp } from './support/app';
import { patientRow, tmp } from './support/sample-files';
import { U16, U16_CHILDREN, U16Patient, u16Survey } from './support/u16-survey';

/** Under-16 responses: the child's part and the parent's part returned and stored separately. */
describe('Under-16 responses in parts', () => {
  let t: TestApp;
  let young: U16Patient;
  let middle: U16Patient;
  let older: U16Patient;
  let blankPack: U16Patient;
  let spare: U16Patient;

  const outcome = async (p: U16Patient): Promise<number> =>
    (await t.dataSource.query('SELECT outcome FROM patient_outcomes WHERE patient_id = $1', [p.id]))[0].outcome;
  const stored = (p: U16Patient) => t.dataSource.query(
    `SELECT part, mode, answers FROM responses WHERE patient_id = $1 ORDER BY part`, [p.id]);
  const used = async (p: U16Patient) => (await t.dataSource.query('SELECT access_code_used_at FROM patients WHERE id = $1', [p.id]))[0].access_code_used_at !== null;
  const online = (p: U16Patient, body: object) => t.http().post(`/api/online/${p.access_code}/response`).send(body);
  const scans = (lines: string[]) => {
    const path = join(tmp, `u16-scans-${Date.now()}.csv`);
    writeFileSync(path, lines.join('\r\n') + '\r\n');
    return t.http().post(`/api/surveys/${U16}/scans/files`).set(t.auth).attach('file', path);
  };

  beforeAll(async () => {
    t = await startApp();
    [young, middle, older, blankPack, spare] = await u16Survey(t, [...U16_CHILDREN,
      patientRow(4, { first_name: 'Bea', surname: 'Blankfixture', date_of_birth: '2014-09-09' }),
      patientRow(5, { first_name: 'Sam', surname: 'Sparefixture', date_of_birth: '2017-02-02' })]);
  });
  afterAll(async () => {
    for (const q of t.app.get(JobQueue).allQueues()) await q.obliterate({ force: true });
    await t.app.close();
  });

  it('lists the parts of the questionnaire behind a code, and asks which part answers are for', async () => {
    const got = await t.http().get(`/api/online/${middle.access_code}`).expect(200);
    expect(got.body).toMatchObject({ open: true, parts: [{ part: 'child', returned: false }, { part: 'parent', returned: false }] });
    expect(got.body.questionnaire.code).toBe('U16-CPES-8-11');
    const young0 = await t.http().get(`/api/online/${young.access_code}`).expect(200);
    expect(young0.body.parts).toEqual([{ part: 'parent', returned: false }]);

    const none = await online(middle, { answers: { child_staff_friendly: '1' } }).expect(400);
    expect(none.body.error.message).toBe('This questionnaire is answered in parts: part must be one of child, parent');
    const noChild = await online(young, { part: 'child', answers: { child_staff_friendly: '1' } }).expect(400);
    expect(noChild.body.error.message).toBe('This questionnaire is answered in parts: part must be one of parent');
    // A parent's answer sent as the child's part is not a question of that part.
    const wrong = await online(middle, { part: 'child', answers: { parent_play: '1' } }).expect(400);
    expect(wrong.body.error.details[0].message).toMatch(/not a question of U16-CPES-8-11/);
    const bad = await online(middle, { part: 'grandparent', answers: {} }).expect(400);
    expect(bad.body.error.details[0].message).toBe('part must be one of whole, child, parent');
  });

  it('either part makes the patient a respondent; the other part arriving later is kept; the code is spent when both are in', async () => {
    // A blank part is not returned: nothing stored, no outcome, the code still open for it.
    const blank = await online(middle, { part: 'parent', answers: {} }).expect(201);
    expect(blank.body).toMatchObject({ recordedAs: 'blank_part', questionsAnswered: 0 });
    expect(await outcome(middle)).toBe(6);
    expect(await stored(middle)).toEqual([]);

    const child = await online(middle, { part: 'child', answers: { child_staff_friendly: '1', child_overall_rating: 9 } }).expect(201);
    expect(child.body).toMatchObject({ recordedAs: 'completed', parts: ['child'], questionsAnswered: 2 });
    expect(await outcome(middle)).toBe(1);
    expect(await used(middle)).toBe(false);
    expect((await t.http().get(`/api/online/${middle.access_code}`).expect(200)).body.parts)
      .toEqual([{ part: 'child', returned: true }, { part: 'parent', returned: false }]);

    const again = await online(middle, { part: 'child', answers: { child_staff_friendly: '2' } }).expect(409);
    expect(again.body.error.message).toMatch(/^The part for the child or young person was already received for this patient \(online, \d{4}-\d\d-\d\d\); the first one counts$/);

    // The parent's part sent blank after the child's: still not returned, the child's response stands.
    expect((await online(middle, { part: 'parent', answers: {} }).expect(201)).body.recordedAs).toBe('blank_part');
    expect(await used(middle)).toBe(false);

    await online(middle, { part: 'parent', answers: { parent_play: '2', parent_overall_rating: 7 } }).expect(201);
    expect(await stored(middle)).toEqual([
      { part: 'child', mode: 'online', answers: { child_staff_friendly: '1', child_overall_rating: 9 } },
      { part: 'parent', mode: 'online', answers: { parent_play: '2', parent_overall_rating: 7 } },
    ]);
    expect(await used(middle)).toBe(true);
    expect(await outcome(middle)).toBe(1);
    // One completion for the patient, however many parts.
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM patient_events WHERE patient_id = $1 AND kind = 'completed'`, [middle.id]);
    expect(n).toBe(1);
    const spent = await online(middle, { part: 'parent', answers: { parent_play: '1' } }).expect(409);
    expect(spent.body.error.message).toMatch(/already been used/);
  });

  it('0-7: the parent part alone spends the code', async () => {
    await online(young, { part: 'parent', answers: { parent_confidence_staff: '1' } }).expect(201);
    expect(await used(young)).toBe(true);
    expect(await outcome(young)).toBe(1);
  });

  it('a phone interview with both parts stores each part on its own, routing each within its part', async () => {
    const res = await t.http().post(`/api/surveys/${U16}/patients/${older.reference}/responses`).set(t.auth)
      .send({ answers: { child_stayed_overnight: '2', child_pain_help: '1', parent_stayed_overnight: '1', parent_play: '1' } }).expect(201);
    expect(res.body).toMatchObject({ recordedAs: 'completed', parts: ['child', 'parent'], questionsAnswered: 4 });
    expect(await stored(older)).toEqual([
      { part: 'child', mode: 'phone', answers: { child_stayed_overnight: '2', child_pain_help: '1' } },
      { part: 'parent', mode: 'phone', answers: { parent_stayed_overnight: '1', parent_play: '1' } },
    ]);
    // The child's "No, not overnight" routes past the child's ward questions, not the parent's.
    const routed = await t.http().post(`/api/surveys/${U16}/patients/${spare.reference}/responses`).set(t.auth)
      .send({ answers: { child_stayed_overnight: '2', child_things_to_do: '1' } }).expect(400);
    expect(routed.body.error.details).toEqual([{ where: 'child_things_to_do', message: expect.stringMatching(/skipped by the routing/) }]);
  });

  it('scanned packs: each row against its own questionnaire, each part stored; a wholly blank pack is a blank return; a later part is kept', async () => {
    const res = await scans([
      'reference,received_date,child_staff_friendly,parent_play,parent_confidence_staff',
      `${spare.reference},2026-11-20,2,,1`,
      `${blankPack.reference},2026-11-20,,,`,
    ]).expect(200);
    expect(res.body).toMatchObject({ rowsRead: 2, recorded: 1, blankReturns: 1, alreadyRecorded: 0, alreadyResponded: 0 });
    expect(await stored(spare)).toEqual([
      { part: 'child', mode: 'paper', answers: { child_staff_friendly: '2' } },
      { part: 'parent', mode: 'paper', answers: { parent_confidence_staff: '1' } },
    ]);
    expect(await outcome(spare)).toBe(1);
    expect(await outcome(blankPack)).toBe(4);

    // The blank pack's child later answers online: a part with answers makes the patient a respondent.
    await online(blankPack, { part: 'child', answers: { child_going_home: '1' } }).expect(201);
    expect(await outcome(blankPack)).toBe(1);

    // The same file again: already in. A paper parent part for a patient whose child answered online: kept.
    const again = await scans([
      'reference,received_date,child_staff_friendly,parent_play,parent_confidence_staff',
      `${spare.reference},2026-11-20,2,,1`,
      `${blankPack.reference},2026-11-21,,2,`,
    ]).expect(200);
    expect(again.body).toMatchObject({ recorded: 1, alreadyRecorded: 1, alreadyResponded: 0, blankReturns: 0 });
    expect((await stored(blankPack)).map((r: { part: string; mode: string }) => `${r.part}:${r.mode}`)).toEqual(['child:online', 'parent:paper']);
  });

  it('refuses a row answering a question its patient\'s questionnaire does not have', async () => {
    const res = await scans([
      'reference,received_date,child_staff_friendly',
      `${young.reference},2026-11-20,1`,
    ]).expect(422);
    expect(res.body.error.details).toEqual([{ where: 'row 2, answers', message: expect.stringMatching(/not a question of U16-CPES-0-7/) }]);
  });
});
