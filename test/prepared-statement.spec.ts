import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/infra/database/data-source-options';
import { PreparedStatement } from '../src/infra/database/prepared-statement';

/**
 * The ledger's hot statements are prepared once per pooled connection. A migration that changes
 * a column they return makes PostgreSQL refuse the kept plan; the call must still be answered.
 */
describe('PreparedStatement', () => {
  let dataSource: DataSource;
  const table = `prepared_probe_${process.pid}`;

  beforeAll(async () => {
    // One connection: every run of the statement is on the session that prepared it.
    const options = dataSourceOptions(process.env.DATABASE_URL!);
    dataSource = await new DataSource({ ...options, extra: { ...options.extra, max: 1 } } as typeof options).initialize();
    await dataSource.query(`CREATE TABLE ${table} (id int PRIMARY KEY, label varchar(20))`);
    await dataSource.query(`INSERT INTO ${table} VALUES (1, 'one'), (2, 'two')`);
  });
  afterAll(async () => {
    await dataSource.query(`DROP TABLE IF EXISTS ${table}`);
    await dataSource.destroy();
  });

  it('runs with its plan kept, and again unprepared when a changed column makes that plan stale', async () => {
    const pids = new PreparedStatement<{ pid: number }>(dataSource, 'probe-pid', 'SELECT pg_backend_pid() AS pid');
    const statement = new PreparedStatement<{ id: number; label: string }>(dataSource, 'probe-labels',
      `SELECT id, label FROM ${table} WHERE id = ANY($1::int[]) ORDER BY id`);
    const [{ pid }] = await pids.rows([]);
    for (let i = 0; i < 7; i++) expect(await statement.rows([[1, 2]])).toEqual([{ id: 1, label: 'one' }, { id: 2, label: 'two' }]);
    const [{ prepared }] = await dataSource.query(
      `SELECT count(*)::int AS prepared FROM pg_prepared_statements WHERE name = 'probe-labels' AND generic_plans + custom_plans >= 7`);
    expect(prepared).toBe(1);
    expect((await pids.rows([]))[0].pid).toBe(pid);

    await dataSource.query(`ALTER TABLE ${table} ALTER label TYPE text`);
    // Refused as stale ("cached plan must not change result type"), then run unprepared.
    expect(await statement.rows([[2]])).toEqual([{ id: 2, label: 'two' }]);
  });

  it('passes any other error on', async () => {
    const broken = new PreparedStatement(dataSource, 'probe-broken', 'SELECT 1 / $1::int AS x');
    await expect(broken.rows([0])).rejects.toThrow(/division by zero/);
  });
});
