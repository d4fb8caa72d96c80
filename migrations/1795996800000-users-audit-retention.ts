import { MigrationInterface, QueryRunner } from 'typeorm';

const IDENTIFIABLE = ['nhs_number', 'first_name', 'surname', 'address', 'postcode', 'date_of_birth', 'access_code', 'patient_record_number'];

/**
 * Users (coordinator, trust, helpline) with sessions and personal API tokens; the audit log;
 * and what the end-of-fieldwork purge needs: identifiable patient columns may become NULL
 * once, and only once, a patient is purged, keeping the outcome it had.
 */
export class UsersAuditRetention1795996800000 implements MigrationInterface {
  name = 'UsersAuditRetention1795996800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email                text NOT NULL UNIQUE CHECK (email = lower(email)),
        role                 text NOT NULL CHECK (role IN ('coordinator', 'trust', 'helpline')),
        trust_code           text REFERENCES trusts(code),
        password_hash        text NOT NULL,
        must_change_password boolean NOT NULL DEFAULT true,
        created_by           text NOT NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        disabled_at          timestamptz,
        CONSTRAINT users_trust_role CHECK ((role = 'trust') = (trust_code IS NOT NULL))
      )`);
    // Sessions and tokens are stored as SHA-256 digests: a copy of the table opens nothing.
    await q.query(`
      CREATE TABLE sessions (
        digest       text PRIMARY KEY,
        user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE api_tokens (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name         text NOT NULL,
        digest       text NOT NULL UNIQUE,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at   timestamptz
      )`);
    await q.query(`CREATE TABLE login_failures (email text NOT NULL, ip text NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
    await q.query('CREATE INDEX login_failures_email ON login_failures (email, at)');
    await q.query('CREATE INDEX login_failures_ip ON login_failures (ip, at)');

    await q.query(`
      CREATE TABLE audit_log (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at         timestamptz NOT NULL DEFAULT now(),
        actor      text NOT NULL,
        actor_role text,
        action     text NOT NULL,
        survey_id  uuid REFERENCES surveys(id),
        patient_id bigint REFERENCES patients(id),
        subject    text,
        details    jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query('CREATE INDEX audit_log_survey ON audit_log (survey_id, at)');
    await q.query('CREATE INDEX audit_log_patient ON audit_log (patient_id, at) WHERE patient_id IS NOT NULL');
    await q.query('CREATE INDEX audit_log_actor ON audit_log (actor, at)');
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit log is append-only';
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);

    await q.query(`ALTER TABLE surveys ADD COLUMN closed_at timestamptz, ADD COLUMN purged_at timestamptz`);
    await q.query(`ALTER TABLE patients
      ADD COLUMN purged_at timestamptz,
      ADD COLUMN final_outcome smallint CHECK (final_outcome BETWEEN 1 AND 7),
      ADD COLUMN age_at_discharge smallint,
      ${IDENTIFIABLE.map((c) => `ALTER COLUMN ${c} DROP NOT NULL`).join(', ')},
      ADD CONSTRAINT patients_identifiable_until_purged CHECK (purged_at IS NOT NULL OR (${IDENTIFIABLE.map((c) => `${c} IS NOT NULL`).join(' AND ')})),
      ADD CONSTRAINT patients_purged_outcome CHECK ((purged_at IS NULL) = (final_outcome IS NULL))`);
    // A purged patient keeps the outcome computed just before the purge (deaths, which need
    // NHS numbers, are gone by then); everyone else's is still derived from their history.
    await q.query('DROP VIEW patient_outcomes');
    // As in Responses1795824000000, with the outcome kept at the purge taking precedence.
    await q.query(`
      CREATE VIEW patient_outcomes AS
      SELECT p.id AS patient_id, p.survey_id, p.trust_code,
        CASE
          WHEN p.final_outcome IS NOT NULL THEN p.final_outcome
          WHEN e.responded_on IS NOT NULL THEN 1
          -- The first mailing is looked up only for the dead (a few hundred rows, by index), not
          -- aggregated over the whole ledger: that made a national report five times slower.
          WHEN d.nhs_number IS NOT NULL THEN
            CASE WHEN COALESCE(d.date_of_death, (d.recorded_at AT TIME ZONE 'Europe/London')::date) < COALESCE(
                   (SELECT (min(m.completed_at) AT TIME ZONE 'Europe/London')::date FROM mailings m
                    WHERE m.patient_id = p.id AND m.status = 'sent'), 'infinity'::date)
                 THEN 7 ELSE 3 END
          WHEN e.ineligible THEN 5
          WHEN e.last_undelivered_at IS NOT NULL
               AND (e.last_address_change_at IS NULL OR e.last_address_change_at < e.last_undelivered_at) THEN 2
          WHEN e.opted_out THEN 4
          ELSE 6
        END AS outcome,
        e.response_mode, e.responded_on, d.date_of_death
      FROM patients p
      LEFT JOIN (
        SELECT patient_id,
          min(occurred_on) FILTER (WHERE kind = 'completed') AS responded_on,
          -- The mode of the first completion (same day: any). An ordered array_agg here cost a sort per patient.
          (min(ARRAY[occurred_on::text, mode]) FILTER (WHERE kind = 'completed'))[2] AS response_mode,
          bool_or(kind = 'ineligible') AS ineligible,
          bool_or(kind IN ('opt_out', 'too_ill', 'blank_return')) AS opted_out,
          max(recorded_at) FILTER (WHERE kind = 'undelivered') AS last_undelivered_at,
          max(recorded_at) FILTER (WHERE kind = 'address_change') AS last_address_change_at
        FROM patient_events GROUP BY patient_id
      ) e ON e.patient_id = p.id
      LEFT JOIN survey_deaths d ON d.survey_id = p.survey_id AND d.nhs_number = p.nhs_number`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP VIEW patient_outcomes');
    await q.query(`
      CREATE VIEW patient_outcomes AS
      SELECT p.id AS patient_id, p.survey_id, p.trust_code,
        CASE
          WHEN e.responded_on IS NOT NULL THEN 1
          -- The first mailing is looked up only for the dead (a few hundred rows, by index), not
          -- aggregated over the whole ledger: that made a national report five times slower.
          WHEN d.nhs_number IS NOT NULL THEN
            CASE WHEN COALESCE(d.date_of_death, (d.recorded_at AT TIME ZONE 'Europe/London')::date) < COALESCE(
                   (SELECT (min(m.completed_at) AT TIME ZONE 'Europe/London')::date FROM mailings m
                    WHERE m.patient_id = p.id AND m.status = 'sent'), 'infinity'::date)
                 THEN 7 ELSE 3 END
          WHEN e.ineligible THEN 5
          WHEN e.last_undelivered_at IS NOT NULL
               AND (e.last_address_change_at IS NULL OR e.last_address_change_at < e.last_undelivered_at) THEN 2
          WHEN e.opted_out THEN 4
          ELSE 6
        END AS outcome,
        e.response_mode, e.responded_on, d.date_of_death
      FROM patients p
      LEFT JOIN (
        SELECT patient_id,
          min(occurred_on) FILTER (WHERE kind = 'completed') AS responded_on,
          -- The mode of the first completion (same day: any). An ordered array_agg here cost a sort per patient.
          (min(ARRAY[occurred_on::text, mode]) FILTER (WHERE kind = 'completed'))[2] AS response_mode,
          bool_or(kind = 'ineligible') AS ineligible,
          bool_or(kind IN ('opt_out', 'too_ill', 'blank_return')) AS opted_out,
          max(recorded_at) FILTER (WHERE kind = 'undelivered') AS last_undelivered_at,
          max(recorded_at) FILTER (WHERE kind = 'address_change') AS last_address_change_at
        FROM patient_events GROUP BY patient_id
      ) e ON e.patient_id = p.id
      LEFT JOIN survey_deaths d ON d.survey_id = p.survey_id AND d.nhs_number = p.nhs_number`);
    await q.query(`DELETE FROM patients WHERE purged_at IS NOT NULL`);
    await q.query(`ALTER TABLE patients DROP CONSTRAINT patients_identifiable_until_purged, DROP CONSTRAINT patients_purged_outcome,
      ${IDENTIFIABLE.map((c) => `ALTER COLUMN ${c} SET NOT NULL`).join(', ')},
      DROP COLUMN purged_at, DROP COLUMN final_outcome, DROP COLUMN age_at_discharge`);
    await q.query('ALTER TABLE surveys DROP COLUMN closed_at, DROP COLUMN purged_at');
    await q.query('DROP TABLE audit_log');
    await q.query('DROP FUNCTION audit_log_append_only()');
    await q.query('DROP TABLE login_failures');
    await q.query('DROP TABLE api_tokens');
    await q.query('DROP TABLE sessions');
    await q.query('DROP TABLE users');
  }
}
