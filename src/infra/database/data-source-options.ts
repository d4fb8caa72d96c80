import { DataSource, DataSourceOptions, QueryRunner } from 'typeorm';
import { APP_DATABASE_ROLE } from '../config/app-config';
import { MIGRATIONS } from '../../../migrations';
import { SampleFile } from '../../samples/sample-file.entity';
import { Survey } from '../../surveys/survey.entity';
import { Trust } from '../../trusts/trust.entity';

export const ENTITIES = [Survey, Trust, SampleFile];

export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    // Off: TypeORM's error logging prints query parameters, which will hold patient data.
    logging: false,
    // JIT off: PostgreSQL compiled the national report's query for 1.5 s to run it in 0.3 s.
    // Our queries are short or set-based over a few hundred thousand rows, where it never pays.
    extra: { max: 10, application_name: 'fieldwork', options: '-c jit=off' },
  };
}

/** Any stable number: every process migrating the same database queues on this lock. */
const MIGRATION_LOCK = 20261122;

/**
 * Runs pending migrations under an advisory lock so concurrent boots cannot race. Given the
 * service's address, gives the role the migrations made (fieldwork_app) the password that
 * address carries, so DATABASE_URL's owner password works for both unless told otherwise.
 */
export async function migrate(dataSource: DataSource, appUrl?: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const ran = await dataSource.runMigrations({ transaction: 'all' });
    if (appUrl) await setAppRolePassword(runner, appUrl);
    return ran.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/** Reverts the newest migration; returns false when none is applied. */
export async function revertLast(dataSource: DataSource): Promise<boolean> {
  const applied: unknown[] = await dataSource.query(
    `SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_migrations'`,
  );
  if (!applied.length) return false;
  const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM schema_migrations');
  if (!count) return false;
  await dataSource.undoLastMigration({ transaction: 'all' });
  return true;
}

async function setAppRolePassword(runner: QueryRunner, appUrl: string): Promise<void> {
  const url = new URL(appUrl);
  const password = decodeURIComponent(url.password);
  if (decodeURIComponent(url.username) !== APP_DATABASE_ROLE || !password) return;
  const [{ statement }] = await runner.query(`SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', $1::text, $2::text) AS statement`,
    [APP_DATABASE_ROLE, password]);
  await runner.query(statement);
}
