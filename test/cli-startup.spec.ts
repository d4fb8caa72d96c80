import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/infra/database/data-source-options';
import { resetDatabase } from './support/app';
import { cli, CliRun } from './support/cli';
import { tmp } from './support/sample-files';

/** A command runs, and says which npm packages its process loaded. */
async function cliLoading(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun & { loaded: string[] }> {
  const record = join(tmp, `loaded-${process.pid}-${Date.now()}.txt`);
  const preload = join(__dirname, 'support', 'loaded-packages.cjs');
  const run = await cli(args, { ...env, FIELDWORK_TEST_LOADED: record, NODE_OPTIONS: `--require ${preload}` });
  return { ...run, loaded: readFileSync(record, 'utf8').split('\n') };
}

/** Where the CLI's start-up time goes: only what the command needs. */
describe('npm run cli start-up', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource(dataSourceOptions(process.env.DATABASE_URL!)).initialize();
  });
  afterAll(() => dataSource.destroy());
  beforeEach(() => resetDatabase(dataSource));

  it('answers help and usage mistakes without starting Nest or the database', async () => {
    const nowhere = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing', REDIS_URL: 'redis://127.0.0.1:1' };
    // The first command after a build writes the command catalogue (loading every command once);
    // whether another spec already did depends on the order files run in.
    expect((await cli(['help'], nowhere)).code).toBe(0);
    const help = await cliLoading(['help'], nowhere);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('survey:list');
    const usage = await cliLoading(['survey:create', '--code', 'CPES-2026'], nowhere);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('survey:create needs --period-start, --period-end');
    const options = await cliLoading(['wave:launch', '--help'], nowhere);
    expect(options.code).toBe(0);
    expect(options.stdout).toContain('--step');
    for (const run of [help, usage, options]) {
      expect(run.loaded.filter((p) => /^@nestjs\/|^typeorm$|^pg$|^bullmq$|^ioredis$/.test(p))).toEqual([]);
    }
  });

  it('runs a command that needs only the database without Redis or the rest of the service', async () => {
    await cli(['survey:create', '--code', 'CPES-2026', '--period-start', '2026-04-01', '--period-end', '2026-06-30']);
    // Nothing answers at this Redis: a command that started queues would complain or hang.
    const listed = await cliLoading(['survey:list', '--json'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    expect(listed.json.surveys.map((s: { code: string }) => s.code)).toEqual(['CPES-2026']);
    expect(listed.loaded).not.toContain('bullmq');
    expect(listed.loaded).not.toContain('ioredis');
    expect(listed.loaded).not.toContain('pdfkit');
    expect(listed.loaded).not.toContain('exceljs');
    // Still in the audit trail, as every command is.
    const audit = await dataSource.query(`SELECT action FROM audit_log WHERE action = 'cli.survey:list'`);
    expect(audit).toHaveLength(1);
  });

  it('gives a command that enqueues its queues', async () => {
    const status = await cliLoading(['wave:status', '--survey', 'CPES-2026', '--json']);
    expect(status.code).toBe(1);
    expect(status.json.error.code).toBe('not_found');
    expect(status.loaded).toContain('bullmq');
  });

  it('refuses with exit code 78 to run on a database behind its migrations, naming the fix', async () => {
    const [newest] = await dataSource.query('SELECT * FROM schema_migrations ORDER BY timestamp DESC LIMIT 1');
    await dataSource.query('DELETE FROM schema_migrations WHERE id = $1', [newest.id]);
    try {
      const behind = await cli(['survey:list', '--json']);
      expect(behind.code).toBe(78);
      expect(behind.json.error).toEqual({
        code: 'schema_behind',
        message: 'The database is behind this version: 1 migration(s) not applied. Run npm run cli -- db:migrate, then this command again.',
      });
      expect(behind.stdout).not.toContain('surveys');
    } finally {
      await dataSource.query('INSERT INTO schema_migrations (id, timestamp, name) VALUES ($1, $2, $3)', [newest.id, newest.timestamp, newest.name]);
    }
    expect((await cli(['survey:list', '--json'])).code).toBe(0);
  });
});
