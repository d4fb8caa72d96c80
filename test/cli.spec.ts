import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/infra/database/data-source-options';
import { resetDatabase } from './support/app';
import { cli } from './support/cli';
import { tmp } from './support/sample-files';

/** The coordinators' command line, run as its own process against this worker's database. */
describe('npm run cli', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource(dataSourceOptions(process.env.DATABASE_URL!)).initialize();
  });
  afterAll(() => dataSource.destroy());
  beforeEach(() => resetDatabase(dataSource));

  it('creates a survey and lists it with --json', async () => {
    const created = await cli(['survey:create', '--code', 'CPES-2026', '--period-start', '2026-04-01', '--period-end', '2026-06-30', '--json']);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.json).toMatchObject({
      code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30', status: 'setup',
      settings: { minimumAge: 16, icd10Scope: ['C00-C97', 'D05'], schedule: { reminder_1: 21, reminder_2: 49 } },
    });

    const listed = await cli(['survey:list', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.json.surveys).toEqual([created.json]);

    const [row] = await dataSource.query(`SELECT code, period_start::text AS start, status FROM surveys`);
    expect(row).toEqual({ code: 'CPES-2026', start: '2026-04-01', status: 'setup' });
  });

  it('prints readable text without --json', async () => {
    await cli(['survey:create', '--code', 'CPES-2026', '--period-start', '2026-04-01', '--period-end', '2026-06-30']);
    const listed = await cli(['survey:list']);
    expect(listed.stdout).toMatch(/^CPES-2026\s+Adult CPES\s+2026-04-01 to 2026-06-30\s+setup$/m);
  });

  it('adds a trust with its ICB', async () => {
    const added = await cli(['trust:add', '--code', 'RXX', '--name', 'Example Hospitals NHS Trust', '--icb', 'QXX', '--json']);
    expect(added.code).toBe(0);
    expect(added.json).toMatchObject({ code: 'RXX', name: 'Example Hospitals NHS Trust', icb: 'QXX' });
    expect((await cli(['trust:list', '--json'])).json.trusts).toHaveLength(1);
  });

  it('reports bad input with exit code 1 and the error body, storing nothing', async () => {
    const bad = await cli(['survey:create', '--code', 'cpes', '--period-start', '2026-02-30', '--period-end', '2026-06-30', '--json']);
    expect(bad.code).toBe(1);
    expect(bad.json.error.code).toBe('validation_failed');
    expect(bad.json.error.details.map((d: { where: string }) => d.where)).toEqual(['code', 'periodStart']);
    expect(await dataSource.query('SELECT 1 FROM surveys')).toEqual([]);

    await cli(['survey:create', '--code', 'CPES-2026', '--period-start', '2026-04-01', '--period-end', '2026-06-30']);
    const dup = await cli(['survey:create', '--code', 'CPES-2026', '--period-start', '2026-04-01', '--period-end', '2026-06-30', '--json']);
    expect(dup.code).toBe(1);
    expect(dup.json).toEqual({ error: { code: 'conflict', message: 'A survey with that code already exists: choose another code' } });
  });

  it('explains usage mistakes with exit code 2', async () => {
    const missing = await cli(['survey:create', '--code', 'CPES-2026', '--json']);
    expect(missing.code).toBe(2);
    expect(missing.json.error.message).toContain('survey:create needs --period-start, --period-end');
    const unknown = await cli(['survey:explode']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command: check its spelling');
    expect(unknown.stderr).not.toContain('survey:explode');
    const help = await cli(['help']);
    expect(help.stdout).toContain('survey:create');
  });

  it('refuses to run on bad configuration, listing every bad variable', async () => {
    const res = await cli(['survey:list', '--json'], { PORT: 'eighty', REDIS_URL: 'nowhere' });
    expect(res.code).toBe(78);
    expect(res.json.error.details.map((d: { message: string }) => d.message).sort()).toEqual([
      'PORT must be a whole number from 1 to 65535', 'REDIS_URL must be a redis:// URL',
    ]);
  });

  it('the service itself exits at boot on bad configuration with every problem listed', () => {
    const run = spawnSync(process.execPath, [join(__dirname, '../dist/src/main.js')], {
      env: { ...process.env, PORT: '0', DATABASE_URL: 'mysql://nope', SMTP_USER: 'u' }, encoding: 'utf8', timeout: 20_000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr).toContain('PORT must be a whole number from 1 to 65535');
    expect(run.stderr).toContain('DATABASE_URL must be a postgres:// URL');
    expect(run.stderr).toContain('SMTP_PASSWORD is required when SMTP_USER is set');
  });

  it('the service prints where it runs, its one-run operator token and the next step as its last lines', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` };
    delete env.OPERATOR_TOKEN;
    const service = spawn(process.execPath, [join(__dirname, '../dist/src/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    service.stdout!.on('data', (d) => (out += d));
    try {
      for (let i = 0; !/^Next: .*\n$/m.test(out); i++) {
        if (i > 600 || service.exitCode !== null) throw new Error(`the service did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const last = out.trimEnd().split('\n').slice(-4);
      expect(last[0]).toBe(`Fieldwork is running at http://127.0.0.1:${port} (sign in at http://127.0.0.1:${port}/login).`);
      expect(last[1]).toContain('Operator token for the API, this run only');
      expect(last[3]).toContain('npm run cli -- user:add');
      const token = /Bearer (\S+)/.exec(last[2])![1];
      expect((await fetch(`http://127.0.0.1:${port}/api/surveys`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      service.kill('SIGTERM');
    }
  }, 90_000);

  it('questionnaire:check lists the evaluative questions, and names the question whose scoring mark is wrong', async () => {
    const cpes = join(__dirname, '../templates/questionnaires/cpes-2026.json');
    const good = await cli(['questionnaire:check', '--file', cpes, '--json']);
    expect(good.code).toBe(0);
    expect(good.json).toMatchObject({ questions: 61, reportKeys: { recurrence_signs: 45, cancer_spread: 51, overall_care_rating: 53 } });
    expect(good.json.evaluative).toHaveLength(46);

    const definition = JSON.parse(readFileSync(cpes, 'utf8'));
    const wait = definition.sections.flatMap((section: any) => section.questions).find((q: any) => q.id === 'test_wait');
    wait.options[0].score = 'other'; // "It was about right" no longer positive: nothing is
    const bad = join(tmp, 'no-positive.json');
    writeFileSync(bad, JSON.stringify(definition));
    const refused = await cli(['questionnaire:check', '--file', bad, '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json.error.details).toEqual([
      { where: 'question 5 (test_wait)', message: 'is evaluative (its options are scored) but no option is marked positive' },
    ]);
  });
});
