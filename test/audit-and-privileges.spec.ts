import { Client } from 'pg';
import { resetDatabase, startApp, TestApp } from './support/app';
import { csvFile, patientRow } from './support/sample-files';
import { withDatabase } from './support/test-env';

/**
 * The audit trail cannot be rewritten by the service, nor emptied by anyone, and it outlives
 * the patients it names. The service runs as fieldwork_app; the owner (DATABASE_URL) only
 * migrates.
 */
describe('audit trail and database privileges', () => {
  let t: TestApp;
  let owner: Client;

  beforeAll(async () => {
    t = await startApp();
    owner = new Client({ connectionString: process.env.DATABASE_URL });
    await owner.connect();
  });
  afterAll(async () => {
    await owner.end();
    await t.app.close();
  });
  beforeEach(async () => {
    await resetDatabase(t.dataSource);
    await t.http().post('/api/surveys').set(t.auth).send({ code: 'CPES-2026', periodStart: '2026-04-01', periodEnd: '2026-06-30' }).expect(201);
    await t.http().post('/api/trusts').set(t.auth).send({ code: 'RXX', name: 'Example Synthetic NHS Trust' }).expect(201);
  });

  it('runs the service as fieldwork_app, which reads and writes rows and nothing more', async () => {
    expect(await t.dataSource.query('SELECT current_user AS role')).toEqual([{ role: 'fieldwork_app' }]);
    const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls)`);
    expect(count).toBe(0);
    const refused = [
      'ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only',
      'DROP TRIGGER audit_log_no_truncate ON audit_log',
      'ALTER TABLE patients ADD COLUMN leak text',
      'CREATE TABLE public.stash (x text)',
      'DROP TABLE surveys',
      `INSERT INTO schema_migrations (timestamp, name) VALUES (1, 'Forged1')`,
      'DELETE FROM schema_migrations',
    ];
    for (const statement of refused) {
      await expect(t.dataSource.query(statement)).rejects.toThrow(/permission denied|must be owner/);
    }
  });

  it('lets the service add to the audit log and read it, but never change, delete or empty it', async () => {
    await t.dataSource.query(`INSERT INTO audit_log (actor, action) VALUES ('test', 'test.entry')`);
    expect((await t.dataSource.query(`SELECT action FROM audit_log WHERE actor = 'test'`))).toEqual([{ action: 'test.entry' }]);
    for (const statement of [`UPDATE audit_log SET actor = 'someone else'`, 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
      await expect(t.dataSource.query(statement)).rejects.toThrow(/permission denied/);
    }
    // Even the owner, who could drop the guard, is refused by it first: emptying the log takes a deliberate act.
    for (const statement of [`UPDATE audit_log SET actor = 'someone else'`, 'DELETE FROM audit_log', 'TRUNCATE audit_log', 'TRUNCATE audit_log CASCADE']) {
      await expect(owner.query(statement)).rejects.toThrow(/append-only/);
    }
    expect((await owner.query('SELECT count(*)::int AS count FROM audit_log')).rows[0].count).toBeGreaterThan(0);
  });

  it('takes a corrected sample file after a patient of the trust was read, and the trail still names whom it was about', async () => {
    const first = csvFile('first.csv', [1, 2, 3].map((n) => patientRow(n)));
    const uploaded = await t.http().post('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(t.auth).attach('file', first).expect(201);
    expect(uploaded.body.status).toBe('accepted');
    const [{ reference }] = await t.dataSource.query('SELECT survey_reference AS reference FROM patients ORDER BY row_number LIMIT 1');
    await t.http().get(`/api/surveys/CPES-2026/patients/${reference}`).set(t.auth).expect(200);

    const corrected = csvFile('corrected.csv', [1, 2, 3, 4].map((n) => patientRow(n)));
    const replaced = await t.http().post('/api/surveys/CPES-2026/trusts/RXX/sample-files').set(t.auth).attach('file', corrected).expect(201);
    expect(replaced.body.status).toBe('accepted');
    expect(await t.dataSource.query('SELECT count(*)::int AS count FROM patients')).toEqual([{ count: 4 }]);
    expect(await t.dataSource.query('SELECT count(*)::int AS count FROM patients WHERE survey_reference = $1', [reference])).toEqual([{ count: 0 }]);

    const trail = await t.http().get('/api/audit').query({ survey: 'CPES-2026', reference }).set(t.auth).expect(200);
    expect(trail.body.entries.map((e: { action: string; reference: string }) => [e.action, e.reference])).toEqual([['patient.read', reference]]);
  });

  it('creates and grants the role on a database migrated from nothing', async () => {
    const name = `${process.env.FIELDWORK_TEST_DB}_privileges`;
    const admin = new Client({ connectionString: withDatabase(process.env.FIELDWORK_TEST_SERVER_URL!, 'postgres') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
      const { DataSource } = await import('typeorm');
      const { dataSourceOptions, migrate } = await import('../src/infra/database/data-source-options');
      const ds = await new DataSource(dataSourceOptions(withDatabase(process.env.FIELDWORK_TEST_SERVER_URL!, name))).initialize();
      try {
        await migrate(ds);
        const granted = await ds.query(`SELECT privilege_type FROM information_schema.role_table_grants
          WHERE grantee = 'fieldwork_app' AND table_name = 'audit_log' ORDER BY 1`);
        expect(granted.map((g: { privilege_type: string }) => g.privilege_type)).toEqual(['INSERT', 'SELECT']);
      } finally {
        await ds.destroy();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
