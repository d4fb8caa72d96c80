import { MigrationInterface, QueryRunner } from 'typeorm';

/** The role the service and workers connect as (DATABASE_APP_URL); spelt here so this migration never changes. */
const APP_ROLE = 'fieldwork_app';

/**
 * Least privilege: the service and workers read and write rows, nothing more. They may not
 * alter tables, drop triggers, truncate, or touch the migrations record, and may only insert
 * into and read the audit log, so a compromised service cannot rewrite its own trail. Tables
 * later migrations create are granted the same by default. Roles belong to the whole server:
 * an existing fieldwork_app (another database on it) is reused, and never dropped here.
 */
export class LeastPrivilege1796260000000 implements MigrationInterface {
  name = 'LeastPrivilege1796260000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
        CREATE ROLE ${APP_ROLE} LOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; -- made by another database's migration
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
    await q.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${APP_ROLE}`);
    await q.query(`REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM ${APP_ROLE}`);
    // A launch refreshes the ledger's statistics (see WavesService.launch); ANALYZE is the
    // owner's, so the service is lent exactly that and no more.
    await q.query(`CREATE FUNCTION refresh_mailings_statistics() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
      SET search_path = pg_catalog, public AS $$ BEGIN ANALYZE public.mailings; END $$`);
    await q.query('REVOKE ALL ON FUNCTION refresh_mailings_statistics() FROM PUBLIC');
    await q.query(`GRANT EXECUTE ON FUNCTION refresh_mailings_statistics() TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION refresh_mailings_statistics()');
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM ${APP_ROLE}`);
  }
}
