import { PATH_METADATA } from '@nestjs/common/constants';
import { AUDITED_KEY } from '../src/audit/audited';
import { PublicationService } from '../src/results/publication.service';
import { ResultsController } from '../src/results/results.controller';
import { ResultsService } from '../src/results/results.service';
import { UsersService } from '../src/users/users.service';
import { ResultsPages } from '../src/web/results.pages';
import { startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { seedResultsSurvey } from './support/results-survey';

/**
 * The embargo of issue 18 over the API, the CLI and the open data, on the synthetic survey of
 * support/results-survey.ts (CPES-2026: RAA 22 respondents, Q2 71.4; RBB 20, withheld; national
 * 61.0). Each role before and after the survey's publicationAt, moved with results:publication.
 */
describe('publication and pre-release access', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ Authorization: `Bearer ${tokens[who]}` });
  const FUTURE = '2099-06-10T08:30:00Z'; // 9:30am in London (summer time)
  const WILL = 'Results of CPES-2026 survey will be published on 10 June 2099 at 9:30am.';
  /** Each CLI run is a process of its own: seconds each when the machine is busy. */
  const CLI_TIME = 180_000;
  const scores = (who: string | null) => {
    const req = t.http().get('/api/surveys/CPES-2026/results/scores');
    return who ? req.set(as(who)) : req;
  };
  const q2 = (body: { questions: { question: string }[] }) => body.questions.find((q) => q.question === 'gp_explained_referral') as any;
  const trustsIn = (body: any) => q2(body).trusts.map((x: { trust: string }) => x.trust);

  beforeAll(async () => {
    t = await startApp();
    await seedResultsSurvey(t);
    const users = t.app.get(UsersService);
    const people: [string, 'coordinator' | 'trust' | 'helpline', string?][] = [
      ['coordinator', 'coordinator'], ['raa.listed', 'trust', 'RAA'], ['rbb', 'trust', 'RBB'], ['helpline.listed', 'helpline'], ['helpline', 'helpline'],
    ];
    for (const [name, role, trustCode] of people) {
      const { user } = await users.add({ email: `${name}@example.invalid`, role, trustCode }, 'test');
      await t.dataSource.query('UPDATE users SET must_change_password = false WHERE id = $1', [user.id]);
      tokens[name] = (await users.createToken(user.id, 'tests')).token;
    }
  }, 120_000);
  afterAll(() => t.app.close());

  it('sets, shows and moves the publication time, refusing a time that is not a real instant, and audits each change', async () => {
    const shown = await cli(['results:publication', '--survey', 'CPES-2026', '--json']);
    expect(shown.json).toEqual({ survey: 'CPES-2026', publicationAt: '2026-01-01T09:30:00Z', published: true, sentence: 'Results of CPES-2026 survey were published on 1 January 2026 at 9:30am.' });

    const refused = await cli(['results:publication', '--survey', 'CPES-2026', '--at', '2099-02-30T09:30:00Z', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json.error.message).toMatch(/^Give the publication time as a date and time with its offset from UTC, e\.g\. 2027-06-10T08:30:00Z/);
    for (const bad of ['2099-06-10', '2099-06-10T09:30:00', 'next Tuesday', '2099-06-10T24:30:00Z']) {
      await expect(t.app.get(PublicationService).set('CPES-2026', bad, { id: 'test', role: 'coordinator' })).rejects.toThrow(/^Give the publication time as/);
    }
    // An offset is kept as the instant it names, in UTC.
    const set = await cli(['results:publication', '--survey', 'CPES-2026', '--at', '2099-06-10T09:30:00+01:00', '--json']);
    expect(set.code).toBe(0);
    expect(set.json).toEqual({ survey: 'CPES-2026', publicationAt: FUTURE, previous: '2026-01-01T09:30:00Z', published: false, sentence: WILL });
    const text = await cli(['results:publication', '--survey', 'CPES-2026']);
    expect(text.stdout).toContain(`${WILL} (${FUTURE})`);
    expect((await cli(['results:publication', '--survey', 'CPES-2099', '--json'])).json.error.code).toBe('not_found');

    const trail = await t.dataSource.query(`SELECT a.actor, a.actor_role AS role, a.details, s.code AS survey FROM audit_log a JOIN surveys s ON s.id = a.survey_id
      WHERE a.action = 'results.publication.set' ORDER BY a.id`);
    expect(trail).toEqual([{ actor: 'cli', role: 'coordinator', survey: 'CPES-2026', details: { from: '2026-01-01T09:30:00Z', to: FUTURE } }]);
    expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'cli.results:publication'`)).toEqual([{ n: 3 }]);
    // The survey's settings still validate: the setting is one of them.
    expect((await t.http().get('/api/surveys/CPES-2026').set(t.auth).expect(200)).body.settings.publicationAt).toBe(FUTURE);
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2030', periodStart: '2030-04-01', periodEnd: '2030-06-30', settings: { publicationAt: 'soon' } }).expect(400);
  }, CLI_TIME);

  it('keeps a pre-release access list of existing users, coordinator only, and audits it', async () => {
    const unknown = await cli(['results:prerelease', '--survey', 'CPES-2026', '--add', 'stranger@example.invalid', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.json.error.message).toContain('No user has that e-mail address');
    expect(unknown.json.error.message).toContain('user:add --email ADDRESS');

    await t.app.get(UsersService).add({ email: 'gone@example.invalid', role: 'coordinator' }, 'test');
    await t.app.get(UsersService).disable('gone@example.invalid');
    const disabled = await cli(['results:prerelease', '--survey', 'CPES-2026', '--add', 'gone@example.invalid', '--json']);
    expect([disabled.code, disabled.json.error.message]).toEqual([1, 'That user is disabled: only a person who can sign in can be given pre-release access']);

    for (const who of ['RAA.Listed@example.invalid', 'helpline.listed@example.invalid', 'rbb@example.invalid']) {
      expect((await cli(['results:prerelease', '--survey', 'CPES-2026', '--add', who, '--json'])).code).toBe(0);
    }
    const removed = await cli(['results:prerelease', '--survey', 'CPES-2026', '--remove', 'rbb@example.invalid', '--json']);
    expect(removed.json.people.map((p: { email: string }) => p.email)).toEqual(['helpline.listed@example.invalid', 'raa.listed@example.invalid']);
    const again = await cli(['results:prerelease', '--survey', 'CPES-2026', '--remove', 'rbb@example.invalid', '--json']);
    expect([again.code, again.json.error.code]).toEqual([1, 'not_found']);

    const listed = await cli(['results:prerelease', '--survey', 'CPES-2026']);
    expect(listed.stdout).toContain(`Pre-release access to CPES-2026 (to be published at ${FUTURE}):`);
    expect(listed.stdout).toMatch(/raa\.listed@example\.invalid\s+trust RAA\s+added by cli/);
    expect(listed.stdout).toMatch(/helpline\.listed@example\.invalid\s+helpline\s+added by cli/);

    const trail = await t.dataSource.query(`SELECT action, subject FROM audit_log WHERE action LIKE 'results.prerelease.%' ORDER BY id`);
    expect(trail).toEqual([
      { action: 'results.prerelease.add', subject: 'raa.listed@example.invalid' },
      { action: 'results.prerelease.add', subject: 'helpline.listed@example.invalid' },
      { action: 'results.prerelease.add', subject: 'rbb@example.invalid' },
      { action: 'results.prerelease.remove', subject: 'rbb@example.invalid' },
    ]);
  }, CLI_TIME);

  it('before publication shows results to coordinators and listed people only, all of them, and audits every view', async () => {
    const [{ since }] = await t.dataSource.query('SELECT coalesce(max(id), 0)::text AS since FROM audit_log');
    for (const who of ['coordinator', 'raa.listed', 'helpline.listed']) {
      const seen = await scores(who).expect(200);
      // A listed trust user sees every trust, ICB and Alliance, as a coordinator does.
      expect([who, trustsIn(seen.body), q2(seen.body).icbs.length]).toEqual([who, ['RAA', 'RBB'], 1]);
      await t.http().get('/api/surveys/CPES-2026/results/league').set(as(who)).expect(200);
      await t.http().get('/api/surveys/CPES-2026/results/breakdown').query({ by: 'sex', trust: 'RBB' }).set(as(who)).expect(200);
    }
    const frequencies = await t.http().get('/api/surveys/CPES-2026/results/frequencies').set(as('raa.listed')).expect(200);
    expect(frequencies.body.questions[0].trusts.map((x: { trust: string }) => x.trust)).toEqual(['RAA', 'RBB']);

    for (const who of ['rbb', 'helpline']) {
      for (const route of ['scores', 'league', 'frequencies', 'trend']) {
        const refused = await t.http().get(`/api/surveys/CPES-2026/results/${route}`).set(as(who)).expect(403);
        expect(refused.body.error.message).toBe(`${WILL} Until then only coordinators and the survey's pre-release access list may see its results.`);
      }
    }
    await scores(null).expect(401);
    const csv = await t.http().get('/results/CPES-2026/open-data/national.csv').expect(403);
    expect(csv.text).toBe(`${WILL}\n`);
    expect(csv.text).not.toContain('61');

    const views = await t.dataSource.query(`SELECT actor, action, count(*)::int AS n FROM audit_log WHERE id > $1 GROUP BY actor, action ORDER BY actor, action`, [since]);
    expect(views).toEqual(['coordinator', 'helpline.listed', 'raa.listed'].flatMap((who) => [
      { actor: `${who}@example.invalid`, action: 'results.breakdown', n: 1 },
      ...(who === 'raa.listed' ? [{ actor: `${who}@example.invalid`, action: 'results.frequencies', n: 1 }] : []),
      { actor: `${who}@example.invalid`, action: 'results.league', n: 1 },
      { actor: `${who}@example.invalid`, action: 'results.scores', n: 1 },
    ]));
    // Comments are results too: a listed person of any role reads any trust's, the others are refused with the date.
    for (const who of ['raa.listed', 'helpline.listed']) {
      await t.http().get('/api/surveys/CPES-2026/results/comments').query({ trust: 'RBB' }).set(as(who)).expect(200);
    }
    for (const who of ['rbb', 'helpline']) {
      const refused = await t.http().get('/api/surveys/CPES-2026/results/comments').query({ trust: 'RBB' }).set(as(who)).expect(403);
      expect(refused.body.error.message).toContain(WILL);
    }
  });

  it('audits every results route and page: each view before publication is in the trail', () => {
    for (const type of [ResultsController, ResultsPages]) {
      for (const key of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as unknown as Record<string, object>)[key];
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        // Only the short addresses, which redirect and show nothing, name no survey.
        if (key === 'constructor' || path === undefined || (type === ResultsPages && !path.includes(':survey'))) continue;
        expect([type.name, key, typeof Reflect.getMetadata(AUDITED_KEY, handler)]).toEqual([type.name, key, 'string']);
      }
    }
  });

  it('with no date set, refuses everyone else and says no date is set; moving the date costs no new computation', async () => {
    const before = await t.app.get(ResultsService).results('CPES-2026');
    const cleared = await cli(['results:publication', '--survey', 'CPES-2026', '--clear', '--json']);
    expect(cleared.json).toMatchObject({ publicationAt: null, previous: FUTURE, published: false });
    const refused = await scores('rbb').expect(403);
    expect(refused.body.error.message).toMatch(/^Results of CPES-2026 survey are not published yet, and no publication date has been set yet\./);
    await scores('raa.listed').expect(200);
    expect(await t.app.get(ResultsService).results('CPES-2026')).toBe(before);
  }, CLI_TIME);

  it('from publication: coordinators everything, trust users their own trust, helpline and the public the open data; the list no longer matters', async () => {
    const moved = await cli(['results:publication', '--survey', 'CPES-2026', '--at', '2026-01-01T09:30:00Z', '--json']);
    expect(moved.json).toMatchObject({ published: true, previous: null });

    expect(trustsIn((await scores('coordinator').expect(200)).body)).toEqual(['RAA', 'RBB']);
    for (const [who, own, other] of [['raa.listed', 'RAA', 'RBB'], ['rbb', 'RBB', 'RAA']]) {
      const mine = await scores(who).expect(200);
      expect([who, trustsIn(mine.body), q2(mine.body).icbs]).toEqual([who, [own], []]);
      await t.http().get('/api/surveys/CPES-2026/results/league').set(as(who)).expect(403);
      await t.http().get('/api/surveys/CPES-2026/results/breakdown').query({ by: 'sex', trust: other }).set(as(who)).expect(403);
    }
    for (const who of ['helpline.listed', 'helpline']) {
      const refused = await scores(who).expect(403);
      expect(refused.body.error.message).toBe('Only the published tables of this survey are open to you: see /results/CPES-2026');
      await t.http().get('/api/surveys/CPES-2026/results/comments').query({ trust: 'RBB' }).set(as(who)).expect(403);
    }
    await t.http().get('/api/surveys/CPES-2026/results/comments').query({ trust: 'RBB' }).set(as('rbb')).expect(200);
    await t.http().get('/api/surveys/CPES-2026/results/comments').query({ trust: 'RBB' }).set(as('raa.listed')).expect(403);

    const file = async (name: string) => {
      const res = await t.http().get(`/results/CPES-2026/open-data/${name}`).expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe(`attachment; filename=CPES-2026-${name}`);
      const lines = res.text.split('\r\n');
      expect(lines[0]).toBe('question,number,level,code,base,positive,score,expected,adjusted,range95_low,range95_high,range998_low,range998_high,flag,suppressed');
      return lines;
    };
    const national = await file('national.csv');
    expect(national).toContain('gp_explained_referral,2,national,national,41,25,61,,,,,,,,no');
    expect(national.filter((l) => l && !l.includes(',national,national,')).length).toBe(1); // the header alone
    const trusts = await file('trust.csv');
    expect(trusts).toContain('gp_explained_referral,2,trust,RAA,21,15,71.4,61,71.4,40.1,81.8,28.1,93.9,within,no');
    expect(trusts).toContain('gp_explained_referral,2,trust,RBB,20,,,,,,,,,,yes');
    expect(await file('icb.csv')).toContain('gp_explained_referral,2,icb,QWO,41,25,61,,,,,,,,no');
    expect(await file('alliance.csv')).toContain('gp_explained_referral,2,alliance,E56000099,41,25,61,,,,,,,,no');
    // Aggregates only: no reference, NHS number, postcode or record number anywhere.
    expect(trusts.join('\n')).not.toMatch(/RAA-\d|LS1|\d{10}/);

    await t.http().get('/results/CPES-2026/open-data/patients.csv').expect(404);
    await t.http().get('/results/CPES-2099/open-data/national.csv').expect(404);
  }, CLI_TIME);
});
