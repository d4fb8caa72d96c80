import { Controller, Get } from '@nestjs/common';
import { Roles } from '../src/auth/roles';
import { resetDatabase, startApp, TestApp } from './support/app';

@Controller('api/test-undeclared')
class UndeclaredController {
  @Get()
  secret() {
    return { secret: 'should never be served' };
  }
}

@Controller('test-helpline-only')
@Roles('helpline')
class HelplineOnlyController {
  @Get()
  calls() {
    return { calls: ['should never be served to a coordinator'] };
  }
}

describe('HTTP service', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({ controllers: [UndeclaredController, HelplineOnlyController] });
  });
  afterAll(() => t.app.close());
  beforeEach(() => resetDatabase(t.dataSource));

  describe('access', () => {
    it('refuses a request without a token with 401 and the error body', async () => {
      const res = await t.http().get('/api/surveys').expect(401);
      expect(res.body).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });
    });

    it('refuses a wrong token', async () => {
      await t.http().get('/api/surveys').set({ Authorization: 'Bearer not-the-token' }).expect(401);
    });

    it('refuses a route that declares no role, even to the operator, with no data in the body', async () => {
      const res = await t.http().get('/api/test-undeclared').set(t.auth).expect(403);
      expect(res.body).toEqual({ error: { code: 'forbidden', message: 'This route is not open to any role' } });
      expect(JSON.stringify(res.body)).not.toContain('should never be served');
    });

    it('refuses a role the route does not declare', async () => {
      const res = await t.http().get('/test-helpline-only').set(t.auth).expect(403);
      expect(JSON.stringify(res.body)).not.toContain('should never be served');
    });

    it('lets anyone call /health', async () => {
      const res = await t.http().get('/health').expect(200);
      expect(res.body).toMatchObject({ status: 'ok', database: { status: 'up' }, redis: { status: 'up' } });
    });
  });

  describe('surveys and trusts', () => {
    const cpes = { code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' };

    it('creates a survey with default settings and lists it', async () => {
      const created = await t.http().post('/api/surveys').set(t.auth).send(cpes).expect(201);
      expect(created.body).toMatchObject({ ...cpes, status: 'setup', settings: { minimumAge: 16, suppressionThreshold: 21 } });
      const list = await t.http().get('/api/surveys').set(t.auth).expect(200);
      expect(list.body.surveys.map((s: { code: string }) => s.code)).toEqual(['CPES-2026']);
      await t.http().get('/api/surveys/CPES-2026').set(t.auth).expect(200);
    });

    it('reports every invalid field in one validation error', async () => {
      const res = await t.http().post('/api/surveys').set(t.auth)
        .send({ code: 'cpes 2026', periodStart: '2026-02-30', periodEnd: '30/06/2026', colour: 'blue' }).expect(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.map((d: { where: string }) => d.where).sort())
        .toEqual(['code', 'colour', 'periodEnd', 'periodStart']);
    });

    it('rejects a period that ends before it starts, and bad settings, naming the setting', async () => {
      const backwards = await t.http().post('/api/surveys').set(t.auth)
        .send({ ...cpes, periodStart: '2026-07-01' }).expect(400);
      expect(backwards.body.error.details[0].where).toBe('periodEnd');
      const settings = await t.http().post('/api/surveys').set(t.auth)
        .send({ ...cpes, settings: { minimumAge: 'sixteen' } }).expect(400);
      expect(settings.body.error.details[0].where).toBe('settings.minimumAge');
    });

    it('answers 409 for a duplicate survey code and 404 for an unknown one', async () => {
      await t.http().post('/api/surveys').set(t.auth).send(cpes).expect(201);
      const dup = await t.http().post('/api/surveys').set(t.auth).send(cpes).expect(409);
      expect(dup.body).toEqual({ error: { code: 'conflict', message: 'A survey with that code already exists: choose another code' } });
      const missing = await t.http().get('/api/surveys/CPES-1999').set(t.auth).expect(404);
      expect(missing.body.error).toEqual({ code: 'not_found', message: 'No survey has that code: check the survey code', details: [{ where: 'survey', message: 'not found' }] });
    });

    it('adds and lists trusts with their ICB', async () => {
      await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Hospitals NHS Trust', icb: 'QXX' }).expect(201);
      await t.http().post('/api/trusts').set(t.auth).send({ code: 'RYY', name: 'Another NHS Foundation Trust' }).expect(201);
      const res = await t.http().get('/api/trusts').set(t.auth).expect(200);
      expect(res.body.trusts).toEqual([
        expect.objectContaining({ code: 'RXX', icb: 'QXX' }),
        expect.objectContaining({ code: 'RYY', icb: null }),
      ]);
      await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Again' }).expect(409);
    });

    it('answers unknown routes with the same error body', async () => {
      const res = await t.http().get('/api/nothing-here').set(t.auth).expect(404);
      expect(res.body.error.code).toBe('not_found');
    });
  });
});
