import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { dataSourceOptions, migrate, revertLast } from '../src/infra/database/data-source-options';
import { withDatabase } from './support/test-env';

/** Migrations run on a database of their own, created empty for this spec. */
describe('migrations', () => {
  const serverUrl = process.env.FIELDWORK_TEST_SERVER_URL!;
  const name = `${process.env.FIELDWORK_TEST_DB}_migrations`;
  let admin: Client;
  let dataSource: DataSource;

  const tables = async () =>
    (await dataSource.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`))
      .map((r: { tablename: string }) => r.tablename);

  beforeAll(async () => {
    admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    dataSource = await new DataSource(dataSourceOptions(withDatabase(serverUrl, name))).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('run up, all the way down and up again', async () => {
    expect(await migrate(dataSource)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await tables()).toEqual(expect.arrayContaining(['schema_migrations', 'surveys', 'trusts', 'sample_files', 'patients']));
    expect(await migrate(dataSource)).toEqual([]);

    let reverted = 0;
    while (await revertLast(dataSource)) reverted++;
    expect(reverted).toBe(MIGRATIONS.length);
    expect(await tables()).toEqual(['schema_migrations']);

    expect(await migrate(dataSource)).toHaveLength(MIGRATIONS.length);
  });

  it('queue concurrent runs behind one lock, so each migration applies once', async () => {
    while (await revertLast(dataSource)) { /* back to empty */ }
    const second = await new DataSource(dataSourceOptions(withDatabase(serverUrl, name))).initialize();
    try {
      const [a, b] = await Promise.all([migrate(dataSource), migrate(second)]);
      expect([...a, ...b].sort()).toEqual(MIGRATIONS.map((m) => m.name).sort());
    } finally {
      await second.destroy();
    }
  });

  it('enforce the survey and trust rules in the schema itself', async () => {
    const insertSurvey = (code: string, start: string, end: string) => dataSource.query(
      `INSERT INTO surveys (code, name, period_start, period_end, settings) VALUES ($1, 'x', $2, $3, '{}')`, [code, start, end]);
    await expect(insertSurvey('cpes-2026', '2026-04-01', '2026-06-30')).rejects.toThrow(/check constraint/);
    await expect(insertSurvey('CPES-2026', '2026-07-01', '2026-06-30')).rejects.toThrow(/surveys_period_ordered/);
    await expect(dataSource.query(`INSERT INTO trusts (code, name, icb_code) VALUES ('RXX', 'A trust', 'XYZ')`))
      .rejects.toThrow(/check constraint/);
  });
});
