import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Responses, helpline contacts and outcomes. `patient_events` becomes the one history of
 * everything that happened to a patient (who, when, what, how it reached us): returns, online
 * and scanned completions, and every helpline contact. Outcome codes are derived from it by the
 * `patient_outcomes` view, never stored, so there is nothing to drift.
 */
export class Responses1795824000000 implements MigrationInterface {
  name = 'Responses1795824000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE patient_events
      DROP CONSTRAINT patient_events_kind_check,
      ADD CONSTRAINT patient_events_kind CHECK (kind IN ('completed', 'blank_return', 'undelivered', 'opt_out', 'too_ill',
        'deceased', 'ineligible', 'alternative_format', 'address_change', 'replacement', 'query')),
      ADD COLUMN mode text CHECK (mode IN ('paper', 'online', 'phone')),
      ADD COLUMN source text NOT NULL DEFAULT 'system' CHECK (source IN ('post_room', 'returns_file', 'online', 'scan', 'helpline', 'system')),
      ADD COLUMN dedupe_key text,
      ADD CONSTRAINT patient_events_mode CHECK ((kind = 'completed') = (mode IS NOT NULL))`);
    await q.query(`ALTER TABLE patient_events ALTER COLUMN source DROP DEFAULT`);
    // The same envelope booked in twice, or the same returns file imported again, is one event.
    await q.query('CREATE UNIQUE INDEX patient_events_once ON patient_events (patient_id, dedupe_key) WHERE dedupe_key IS NOT NULL');
    await q.query('CREATE INDEX patient_events_survey ON patient_events (survey_id, kind, occurred_on)');
    // Protects history: events are appended, never edited or removed (the end-of-fieldwork purge aside).
    await q.query(`
      CREATE FUNCTION patient_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('fieldwork.purging', true) = 'on' THEN RETURN COALESCE(NEW, OLD); END IF;
        RAISE EXCEPTION 'patient events are history: they are never changed or deleted';
      END $$`);
    await q.query(`CREATE TRIGGER patient_events_append_only BEFORE UPDATE OR DELETE ON patient_events
      FOR EACH ROW EXECUTE FUNCTION patient_events_append_only()`);

    await q.query(`ALTER TABLE patients
      ADD COLUMN access_code_used_at timestamptz,
      ADD COLUMN preferred_format text NOT NULL DEFAULT 'standard',
      ADD COLUMN preferred_language text`);
    // The searches helpline staff make: by reference (unique index already), and by surname + postcode + birth date.
    await q.query('CREATE INDEX patients_helpline_search ON patients (survey_id, lower(surname), postcode, date_of_birth)');
    await q.query('CREATE INDEX patients_by_reference ON patients (survey_reference)');
    await q.query('CREATE INDEX patients_by_nhs_number ON patients (survey_id, nhs_number)');

    // One set of answers per patient, from whichever came first: online, the scanning bureau or a phone interview.
    await q.query(`
      CREATE TABLE responses (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        survey_id   uuid NOT NULL REFERENCES surveys(id),
        patient_id  bigint NOT NULL UNIQUE REFERENCES patients(id),
        mode        text NOT NULL CHECK (mode IN ('paper', 'online', 'phone')),
        answers     jsonb NOT NULL,
        received_on date NOT NULL,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX responses_survey ON responses (survey_id, received_on)');

    // A single pack asked for on the phone: a large-print copy, or a replacement for a lost one.
    await q.query(`
      CREATE TABLE one_off_packs (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        survey_id          uuid NOT NULL REFERENCES surveys(id),
        patient_id         bigint NOT NULL REFERENCES patients(id),
        event_id           bigint NOT NULL UNIQUE REFERENCES patient_events(id),
        step               text NOT NULL CHECK (step IN ('initial', 'reminder_1', 'reminder_2')),
        format             text NOT NULL CHECK (format IN ('standard', 'large_print')),
        status             text NOT NULL CHECK (status IN ('pending', 'printed', 'suppressed', 'failed')),
        suppression_reason text,
        pdf_path           text,
        error              text,
        requested_at       timestamptz NOT NULL DEFAULT now(),
        completed_at       timestamptz,
        CONSTRAINT one_off_packs_printed CHECK ((status = 'printed') = (pdf_path IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX one_off_packs_pending ON one_off_packs (survey_id) WHERE status = 'pending'`);

    // Outcome codes 1-7 (../shared/domain/FIELDWORK-RULES.md), in this precedence: a completed
    // questionnaire wins over anything later; then death (7 if it came before the patient's first
    // mailing, else 3); not eligible; undelivered, unless a newer address was given after it;
    // opted out, too ill or blank; otherwise no response.
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP VIEW patient_outcomes');
    await q.query('DROP TABLE one_off_packs');
    await q.query('DROP TABLE responses');
    await q.query('DROP INDEX patients_helpline_search');
    await q.query('DROP INDEX patients_by_reference');
    await q.query('DROP INDEX patients_by_nhs_number');
    await q.query('ALTER TABLE patients DROP COLUMN access_code_used_at, DROP COLUMN preferred_format, DROP COLUMN preferred_language');
    await q.query('DROP TRIGGER patient_events_append_only ON patient_events');
    await q.query('DROP FUNCTION patient_events_append_only()');
    await q.query(`DELETE FROM patient_events WHERE kind NOT IN ('completed', 'blank_return', 'undelivered', 'opt_out', 'ineligible')`);
    await q.query(`ALTER TABLE patient_events
      DROP CONSTRAINT patient_events_kind, DROP CONSTRAINT patient_events_mode,
      DROP COLUMN mode, DROP COLUMN source, DROP COLUMN dedupe_key,
      ADD CONSTRAINT patient_events_kind_check CHECK (kind IN ('completed', 'blank_return', 'undelivered', 'opt_out', 'ineligible'))`);
  }
}
