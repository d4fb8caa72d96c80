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

  it('compare NHS numbers in one collation, so the deceased check can use the deaths key', async () => {
    await migrate(dataSource);
    const collation = async (table: string) => (await dataSource.query(
      `SELECT collation_name FROM information_schema.columns WHERE table_name = $1 AND column_name = 'nhs_number'`, [table]))[0].collation_name;
    expect(await collation('survey_deaths')).toBe('C');
    expect(await collation('patients')).toBe('C');
    const [plan] = await dataSource.query(`EXPLAIN (FORMAT JSON) SELECT 1 FROM patients p
      WHERE EXISTS (SELECT 1 FROM survey_deaths d WHERE d.survey_id = p.survey_id AND d.nhs_number = p.nhs_number) AND p.id = 1`);
    expect(JSON.stringify(plan)).toContain('survey_deaths_pkey');
  });

  it('enforce the survey and trust rules in the schema itself', async () => {
    const insertSurvey = (code: string, start: string, end: string) => dataSource.query(
      `INSERT INTO surveys (code, name, period_start, period_end, settings) VALUES ($1, 'x', $2, $3, '{}')`, [code, start, end]);
    await expect(insertSurvey('cpes-2026', '2026-04-01', '2026-06-30')).rejects.toThrow(/check constraint/);
    await expect(insertSurvey('CPES-2026', '2026-07-01', '2026-06-30')).rejects.toThrow(/surveys_period_ordered/);
    await expect(dataSource.query(`INSERT INTO trusts (code, name, icb_code) VALUES ('RXX', 'A trust', 'XYZ')`))
      .rejects.toThrow(/check constraint/);
  });

  it('keep each patient on a sample file of the same survey and trust, checked per statement', async () => {
    await migrate(dataSource);
    const [{ id: survey }] = await dataSource.query(
      `INSERT INTO surveys (code, name, period_start, period_end, settings) VALUES ('CPES-2031', 'x', '2031-04-01', '2031-06-30', '{}') RETURNING id`);
    await dataSource.query(`INSERT INTO trusts (code, name) VALUES ('RXX', 'A trust'), ('RYY', 'B trust')`);
    const [{ id: file }] = await dataSource.query(
      `INSERT INTO sample_files (survey_id, trust_code, file_name, format, status, rows_read, rows_rejected, excluded, sampled, uploaded_by)
       VALUES ($1, 'RXX', 'f.csv', 'csv', 'accepted', 2, 0, '{}', 2, 'test') RETURNING id`, [survey]);
    const insertPatients = (trusts: string[]) => dataSource.query(`
      INSERT INTO patients (survey_id, trust_code, sample_file_id, row_number, survey_reference, access_code, patient_record_number,
        nhs_number, first_name, surname, address, postcode, date_of_birth, sex, icd10, admission_date, discharge_date, patient_type)
      SELECT $1, t, $2, n, 'REF-' || t || n, 'CODE-' || t || n, 'PRN' || n, '9990000026', 'Synthetic', 'Patient',
        '{"1 Synthetic Street","Testville"}', 'LS1 1AA', '1960-01-01', '2', 'C50.9', '2031-05-01', '2031-05-02', '1'
      FROM unnest($3::text[]) WITH ORDINALITY AS u(t, n)`, [survey, file, trusts]);

    // One row of another trust spoils the whole statement.
    await expect(insertPatients(['RXX', 'RYY'])).rejects.toThrow(/same survey and trust/);
    expect(await dataSource.query('SELECT count(*)::int AS n FROM patients')).toEqual([{ n: 0 }]);
    await insertPatients(['RXX', 'RXX']);
    await expect(dataSource.query(`UPDATE patients SET trust_code = 'RYY'`)).rejects.toThrow(/cannot move/);
    await expect(dataSource.query('DELETE FROM sample_files WHERE id = $1', [file])).rejects.toThrow(/still has patients/);
    await dataSource.query(`UPDATE sample_files SET status = 'accepted', sampled = 2 WHERE id = $1`, [file]);

    // The ledger's copy of the trust (for reports) must be the patient's.
    await dataSource.query(`INSERT INTO mailing_steps (survey_id, step, launched_by, scheduled_for) VALUES ($1, 'initial', 'test', now())`, [survey]);
    const mail = (trust: string) => dataSource.query(
      `INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel) SELECT $1, id, $2, 'initial', 'email' FROM patients`, [survey, trust]);
    await expect(mail('RYY')).rejects.toThrow(/its patient's trust/);
    await mail('RXX');
    await expect(dataSource.query(`UPDATE mailings SET trust_code = 'RYY'`)).rejects.toThrow(/cannot move/);
    await dataSource.query('DELETE FROM mailings');
    await dataSource.query('DELETE FROM mailing_steps');
    await dataSource.query('DELETE FROM patients');
    await dataSource.query('DELETE FROM sample_files WHERE id = $1', [file]);
  });
});
