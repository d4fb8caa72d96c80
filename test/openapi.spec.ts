import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, TestApp } from './support/app';

interface Layer { route?: { path: string; methods: Record<string, boolean> } }
type Paths = Record<string, Record<string, unknown>>;

/** Every HTTP route the running application registered under /api, as "METHOD /api/x/{param}". */
function registeredApiRoutes(t: TestApp): string[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } };
  const routes = new Set<string>();
  for (const layer of express.router.stack) {
    if (!layer.route || !layer.route.path.startsWith('/api/') || layer.route.path.startsWith('/api/docs')) continue;
    const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
    for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') routes.add(`${method.toUpperCase()} ${path}`);
  }
  return [...routes].sort();
}

const documented = (paths: Paths) => Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));

describe('the OpenAPI document', () => {
  let t: TestApp;
  let routes: string[];

  beforeAll(async () => {
    t = await startApp();
    routes = registeredApiRoutes(t);
  });
  afterAll(() => t.app.close());

  it('is for signed-in users only, as JSON and as a page', async () => {
    await t.http().get('/api/docs-json').expect(401);
    await t.http().get('/api/docs').expect(401);
    const page = await t.http().get('/api/docs').set(t.auth).expect(200);
    expect(page.text).toContain('/api/docs/ui/swagger-ui-bundle.js');
    const bundle = await t.http().get('/api/docs/ui/swagger-ui-bundle.js').set(t.auth).expect(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
    await t.http().get('/api/docs/ui/..%2Fpackage.json').set(t.auth).expect(404);
  });

  it('served at /api/docs-json has every /api route the application registered, with its method', async () => {
    expect(routes.length).toBeGreaterThan(30);
    const doc = (await t.http().get('/api/docs-json').set(t.auth).expect(200)).body as { openapi: string; paths: Paths; components: { schemas: Record<string, { properties?: object; required?: string[] }> } };
    expect(doc.openapi).toMatch(/^3\./);
    const missing = routes.filter((r) => !documented(doc.paths).includes(r));
    expect(missing).toEqual([]);
    // Request bodies are described from the DTOs' validation rules.
    expect(doc.components.schemas.CreateSurveyDto).toMatchObject({ required: ['code', 'periodStart', 'periodEnd'] });
    expect(Object.keys(doc.components.schemas.CreateSurveyDto.properties!)).toEqual(expect.arrayContaining(['code', 'name', 'settings']));
    // A choice of values is typed as its values are, even where the property's TypeScript type is a union.
    const enums = Object.entries(doc.components.schemas).flatMap(([dto, s]) => Object.entries((s.properties ?? {}) as Record<string, { type?: string; enum?: unknown[] }>)
      .filter(([, p]) => p.enum).map(([name, p]) => [`${dto}.${name}`, p.type, [...new Set(p.enum!.map((v) => typeof v))].join()]));
    expect(enums.length).toBeGreaterThan(3);
    for (const [name, type, values] of enums) expect([name, type]).toEqual([name, values === 'number' ? expect.stringMatching(/^(integer|number)$/) : values]);
  });

  it('committed as openapi.json has every /api route too, and is the document served (run `npm run build` and commit openapi.json when this fails)', async () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8')) as { paths: Paths };
    expect(routes.filter((r) => !documented(committed.paths).includes(r))).toEqual([]);
    // Not only the routes: a request body's fields changed without regenerating the file show here too.
    expect(committed).toEqual((await t.http().get('/api/docs-json').set(t.auth).expect(200)).body);
  });
});
