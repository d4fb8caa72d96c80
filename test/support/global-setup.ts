import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { APP_DATABASE_ROLE, appDatabaseUrl } from '../../src/infra/config/app-config';
import { dataSourceOptions, migrate } from '../../src/infra/database/data-source-options';
import { TEST_OPERATOR_TOKEN, withDatabase, workerDatabase } from './test-env';

const root = join(__dirname, '..', '..');

/**
 * Each run gets databases of its own (never the demo's): one migrated template, cloned once
 * per Jest worker, and a Redis key prefix of its own. The teardown removes all of them.
 */
export default async function globalSetup(globalConfig: { maxWorkers: number }): Promise<void> {
  // Install, build dist/ (the CLI tests run it) and bring up PostgreSQL and Redis if needed.
  const setup = spawnSync(process.execPath, ['scripts/setup.mjs', 'test'], { cwd: root, stdio: 'inherit' });
  if (setup.status !== 0) throw new Error('scripts/setup.mjs test failed');

  const serverUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const base = `fieldwork_test_${suffix}`;

  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await dropAbandonedTestDatabases(admin);
    // The migrations create the service's role on the server; a run that made it removes it again.
    const { rowCount } = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_DATABASE_ROLE]);
    if (!rowCount) process.env.FIELDWORK_TEST_CREATED_ROLE = APP_DATABASE_ROLE;
    await admin.query(`CREATE DATABASE "${base}"`);
    const dataSource = await new DataSource(dataSourceOptions(withDatabase(serverUrl, base))).initialize();
    // As db:migrate does: the service's role gets the password the owner's address carries, if any.
    await migrate(dataSource, appDatabaseUrl({ DATABASE_URL: withDatabase(serverUrl, base) }));
    await dataSource.destroy();
    for (let worker = 1; worker <= globalConfig.maxWorkers; worker++) {
      await admin.query(`CREATE DATABASE "${workerDatabase(base, worker)}" TEMPLATE "${base}"`);
    }
  } finally {
    await admin.end();
  }

  Object.assign(process.env, {
    NODE_ENV: 'test',
    FIELDWORK_TEST_DB: base,
    FIELDWORK_TEST_SERVER_URL: serverUrl,
    DATABASE_URL: withDatabase(serverUrl, base),
    FIELDWORK_TEST_QUEUE_PREFIX: `fwtest-${suffix}`,
    FIELDWORK_TEST_STORAGE: mkdtempSync(join(tmpdir(), 'fieldwork-test-')),
    OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
  });
}

/**
 * Databases left by a run that was killed. Only those named by a run that began over two hours
 * ago: a run in progress on the same server may have cloned databases nobody is connected to yet.
 */
async function dropAbandonedTestDatabases(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE 'fieldwork\\_test\\_%'
       AND datname NOT IN (SELECT datname FROM pg_stat_activity WHERE datname IS NOT NULL)`,
  );
  const startedMs = (name: string) => parseInt(name.slice('fieldwork_test_'.length, 'fieldwork_test_'.length + 8), 36);
  for (const { datname } of rows.filter((r) => !(Date.now() - startedMs(r.datname) < 2 * 3_600_000))) {
    await admin.query(`DROP DATABASE IF EXISTS "${datname}"`).catch(() => undefined);
  }
}
