import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { Principal, Role } from '../src/auth/roles';
import { PUBLIC_KEY, ROLES, ROLES_KEY } from '../src/auth/roles';
import { UsersService } from '../src/users/users.service';
import { startApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { lockedSurvey, SampledPatient } from './support/mailing-survey';
import { csvFile, patientRow } from './support/sample-files';

interface Route { method: string; path: string; roles: Role[]; isPublic: boolean }

/** Every route the application serves, with the roles it declares, read from the controllers themselves. */
function routesOf(t: TestApp): Route[] {
  const routes: Route[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as unknown as (new () => object) | undefined;
      if (!type?.prototype) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const key of Object.getOwnPropertyNames(type.prototype)) {
        const handler = (type.prototype as Record<string, unknown>)[key];
        if (key === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const path = `/${base}/${String(Reflect.getMetadata(PATH_METADATA, handler))}`.replace(/\/+/g, '/').replace(/\/$/, '');
        routes.push({
          method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase(),
          path,
          roles: Reflect.getMetadata(ROLES_KEY, handler) ?? Reflect.getMetadata(ROLES_KEY, type) ?? [],
          isPublic: Boolean(Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, type)),
        });
      }
    }
  }
  return routes;
}

describe('access control', () => {
  let t: TestApp;
  let patients: SampledPatient[];
  const tokens = {} as Record<Role, string>;
  const users = () => t.app.get(UsersService);
  const bearer = (role: Role) => ({ Authorization: `Bearer ${tokens[role]}` });

  beforeAll(async () => {
    t = await startApp();
    patients = await lockedSurvey(t, [patientRow(1), patientRow(2)]);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RYY', name: 'Other Synthetic NHS Trust' }).expect(201);
    for (const role of ROLES) {
      const { user } = await users().add({ email: `${role}@example.invalid`, role, trustCode: role === 'trust' ? 'RXX' : undefined }, 'test');
      tokens[role] = (await users().createToken(user.id, 'tests')).token;
    }
  });
  afterAll(() => t.app.close());

  it('guards every route: each declares who may use it, and nobody else gets in or sees data', async () => {
    const routes = routesOf(t);
    expect(routes.length).toBeGreaterThan(40);
    const undeclared = routes.filter((r) => !r.isPublic && !r.roles.length);
    expect(undeclared).toEqual([]);

    const fill = (path: string) => path.replace(':survey', 'CPES-2026').replace(':trust', 'RXX').replace(':ref', patients[0].reference)
      .replace(':step', 'initial').replace(':id', '00000000-0000-0000-0000-000000000000').replace(':email', 'nobody@example.invalid')
      .replace(':code', patients[0].access_code);
    let refusals = 0;
    for (const route of routes.filter((r) => !r.isPublic)) {
      const url = fill(route.path);
      // The API answers JSON; pages send people to sign in, or show a page saying they have no access.
      const isPage = !route.path.startsWith('/api/');
      const anonymous = await (t.http() as any)[route.method](url);
      if (isPage) {
        expect([route.method, route.path, anonymous.status, anonymous.headers.location]).toEqual([route.method, route.path, 303, `/login?next=${encodeURIComponent(url)}`]);
      } else {
        expect([route.method, route.path, anonymous.status]).toEqual([route.method, route.path, 401]);
        expect(Object.keys(anonymous.body)).toEqual(['error']);
      }
      for (const role of ROLES.filter((r) => !route.roles.includes(r))) {
        const res = await (t.http() as any)[route.method](url).set(bearer(role));
        expect([route.method, route.path, role, res.status]).toEqual([route.method, route.path, role, 403]);
        if (isPage) expect(res.text).toContain('You do not have access to this page.');
        else expect(res.body).toEqual({ error: { code: 'forbidden', message: 'Your role does not allow this' } });
        refusals++;
      }
    }
    expect(refusals).toBeGreaterThan(40);
  });

  it("keeps a trust user to their own trust's samples, patients and report rows", async () => {
    const other = csvFile('other-trust.csv', [patientRow(9, { trust_code: 'RYY' })]);
    const refused = await t.http().post('/api/surveys/CPES-2026/trusts/RYY/sample-files').set(bearer('trust')).attach('file', other).expect(403);
    expect(Object.keys(refused.body)).toEqual(['error']);
    await t.http().get('/api/surveys/CPES-2026/trusts/RYY/sample-files').set(bearer('trust')).expect(403);
    const own = await t.http().get('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(bearer('trust')).expect(200);
    expect(own.body.files).toHaveLength(1);
    const rates = await t.http().get('/api/surveys/CPES-2026/reports/response-rates').set(bearer('trust')).expect(200);
    expect(rates.body.trusts.map((r: { code: string }) => r.code)).toEqual(['RXX']);
    // A helpline user cannot bulk-export: reports and the patient list of a print run are closed to them.
    await t.http().get('/api/surveys/CPES-2026/reports/response-rates?format=csv').set(bearer('helpline')).expect(403);
  });

  describe('sign-in', () => {
    it('starts with a one-time password that must be changed before anything else', async () => {
      const added = await cli(['user:add', '--email', 'Jo.Helpline@Example.invalid', '--role', 'helpline', '--json']);
      expect(added.code).toBe(0);
      expect(added.json.user).toMatchObject({ email: 'jo.helpline@example.invalid', role: 'helpline', mustChangePassword: true });
      const once: string = added.json.oneTimePassword;
      expect(once).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);
      const [{ password_hash }] = await t.dataSource.query(`SELECT password_hash FROM users WHERE email = 'jo.helpline@example.invalid'`);
      expect(password_hash).toMatch(/^\$argon2id\$/);

      const login = await t.http().post('/api/auth/login').send({ email: 'jo.helpline@example.invalid', password: once }).expect(200);
      const cookie = login.headers['set-cookie'][0] as string;
      expect(cookie).toMatch(/^fieldwork_session=fws_[\w-]+;/);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(login.body).toMatchObject({ mustChangePassword: true });
      const session = cookie.split(';')[0];

      const blocked = await t.http().get(`/api/surveys/CPES-2026/patients/${patients[0].reference}`).set('Cookie', session).expect(403);
      expect(blocked.body.error.message).toMatch(/new password/);
      const short = await t.http().post('/api/auth/password').set('Cookie', session).send({ currentPassword: once, newPassword: 'short' }).expect(400);
      // Each message is a sentence that says what to do, never a fragment or a code.
      for (const d of short.body.error.details) expect(d.message).toMatch(/^(Choose|Enter) /);
      const wrong = await t.http().post('/api/auth/password').set('Cookie', session).send({ currentPassword: 'not the one', newPassword: 'a long synthetic passphrase' }).expect(400);
      expect(wrong.body.error.details).toEqual([{ where: 'currentPassword', message: 'Enter the password you use now; it does not match' }]);
      await t.http().post('/api/auth/password').set('Cookie', session)
        .send({ currentPassword: once, newPassword: 'a long synthetic passphrase' }).expect(200);
      await t.http().get(`/api/surveys/CPES-2026/patients/${patients[0].reference}`).set('Cookie', session).expect(200);
      expect((await t.http().get('/api/auth/me').set('Cookie', session).expect(200)).body).toEqual({
        id: 'jo.helpline@example.invalid', role: 'helpline', trustCode: null, mustChangePassword: false,
      });

      await t.http().post('/api/auth/logout').set('Cookie', session).expect(200);
      await t.http().get('/api/auth/me').set('Cookie', session).expect(401);
    });

    it('answers the same for an unknown e-mail and a wrong password, and stops guessing after five tries', async () => {
      await users().add({ email: 'guessed@example.invalid', role: 'coordinator' }, 'test');
      const unknown = await t.http().post('/api/auth/login').send({ email: 'nobody@example.invalid', password: 'x' }).expect(401);
      const wrong = await t.http().post('/api/auth/login').send({ email: 'guessed@example.invalid', password: 'x' }).expect(401);
      expect(unknown.body).toEqual(wrong.body);
      for (let i = 0; i < 4; i++) await t.http().post('/api/auth/login').send({ email: 'guessed@example.invalid', password: `guess${i}` }).expect(401);
      const limited = await t.http().post('/api/auth/login').send({ email: 'guessed@example.invalid', password: 'guess5' }).expect(429);
      expect(limited.body.error.code).toBe('too_many_requests');
    });

    it('gives scripts personal API tokens that stop working when revoked or the user is disabled', async () => {
      const { user, oneTimePassword } = await users().add({ email: 'nightly@example.invalid', role: 'trust', trustCode: 'RXX' }, 'test');
      await users().changePassword(user.id, oneTimePassword, 'another long passphrase');
      const first = (await users().createToken(user.id, 'nightly upload')).token;
      const auth = { Authorization: `Bearer ${first}` };
      await t.http().get('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(auth).expect(200);
      const [{ digest }] = await t.dataSource.query(`SELECT digest FROM api_tokens WHERE name = 'nightly upload'`);
      expect(digest).not.toContain(first); // only a digest is stored

      const listed = await t.http().get('/api/auth/tokens').set(auth).expect(200);
      const id = listed.body.tokens[0].id;
      await t.http().delete(`/api/auth/tokens/${id}`).set(auth).expect(200);
      await t.http().get('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(auth).expect(401);

      const second = (await users().createToken(user.id, 'again')).token;
      expect((await cli(['user:disable', '--email', 'nightly@example.invalid', '--json'])).json).toMatchObject({ disabled: true });
      await t.http().get('/api/surveys/CPES-2026/trusts/RXX/sample-files').set({ Authorization: `Bearer ${second}` }).expect(401);
    });
  });

  it('records who read or changed which patient, and every import and launch, for coordinators only', async () => {
    const helplineUser: Principal = { id: 'helpline@example.invalid', role: 'helpline' };
    await t.http().get(`/api/surveys/CPES-2026/patients/${patients[1].reference}`).set(bearer('helpline')).expect(200);
    await t.http().get('/api/surveys/CPES-2026/patients').query({ surname: 'SyntheticC', postcode: 'LS1 4AB', dateOfBirth: '1950-01-01' })
      .set(bearer('helpline')).expect(200);
    await t.http().post(`/api/surveys/CPES-2026/patients/${patients[1].reference}/contacts`).set(bearer('helpline'))
      .send({ type: 'opt_out', reason: 'Synthetic reason' }).expect(201);
    expect((await cli(['helpline:show', '--ref', patients[1].reference, '--json'])).code).toBe(0);

    const trail = await t.http().get('/api/audit').query({ survey: 'CPES-2026', reference: patients[1].reference }).set(t.auth).expect(200);
    expect(trail.body.entries.map((e: { actor: string; action: string }) => [e.actor.replace(/^cli:.*/, 'cli'), e.action])).toEqual([
      ['cli', 'cli.helpline:show'],
      [helplineUser.id, 'patient.contact'],
      [helplineUser.id, 'patient.search'],
      [helplineUser.id, 'patient.read'],
    ]);
    // The search is recorded by the patient it found, not by what was typed.
    expect(JSON.stringify(trail.body)).not.toContain('SyntheticC');
    const imports = await t.http().get('/api/audit').query({ action: 'sample.lock' }).set(t.auth).expect(200);
    expect(imports.body.entries).toHaveLength(1);
    await t.http().get('/api/audit').set(bearer('helpline')).expect(403);
    // That no one can change or empty the trail is proven in audit-and-privileges.spec.ts.
  });
});
