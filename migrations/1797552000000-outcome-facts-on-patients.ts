import { MigrationInterface, QueryRunner } from 'typeorm';
import { outcomesSql } from './1797033600000-outcomes-per-survey';

/** What a patient's events say about their outcome: the view's per-patient summary, exactly. */
const EVENT_FACTS = `
  min(occurred_on) FILTER (WHERE kind = 'completed'),
  (min(ARRAY[occurred_on::text, mode]) FILTER (WHERE kind = 'completed'))[2],
  coalesce(bool_or(kind = 'ineligible'), false),
  coalesce(bool_or(kind IN ('opt_out', 'too_ill', 'blank_return')), false),
  max(recorded_at) FILTER (WHERE kind = 'undelivered'),
  max(recorded_at) FILTER (WHERE kind = 'address_change')`;
const FACT_COLUMNS = 'responded_on, response_mode, ineligible, opted_out, last_undelivered_at, last_address_change_at';

/** Each patient on the survey's deaths list, with the day their first mailing was sent: the dead are few, so it is looked up for them alone. */
export const DEAD_PATIENTS_JOIN = `
  LEFT JOIN (
    SELECT dp.id AS dead_patient, dp.survey_id, d.date_of_death, d.recorded_at,
      (SELECT (min(m.completed_at) AT TIME ZONE 'Europe/London')::date FROM mailings m
       WHERE m.patient_id = dp.id AND m.status = 'sent') AS first_sent_on
    FROM survey_deaths d JOIN patients dp ON dp.survey_id = d.survey_id AND dp.nhs_number = d.nhs_number
  ) d ON d.survey_id = p.survey_id AND d.dead_patient = p.id`;

/** The view's query from here on: outcomes read from the facts on the patient (OutcomeFunction1798108800000 goes back to it). */
export const OUTCOMES_FROM_FACTS = `
  SELECT p.id AS patient_id, p.survey_id, p.trust_code,
    CASE
      WHEN p.final_outcome IS NOT NULL THEN p.final_outcome
      WHEN p.responded_on IS NOT NULL THEN 1
      WHEN d.dead_patient IS NOT NULL THEN
        CASE WHEN COALESCE(d.date_of_death, (d.recorded_at AT TIME ZONE 'Europe/London')::date) < COALESCE(d.first_sent_on, 'infinity'::date)
             THEN 7 ELSE 3 END
      WHEN p.ineligible THEN 5
      WHEN p.last_undelivered_at IS NOT NULL
           AND (p.last_address_change_at IS NULL OR p.last_address_change_at < p.last_undelivered_at) THEN 2
      WHEN p.opted_out THEN 4
      ELSE 6
    END AS outcome,
    p.response_mode, p.responded_on, d.date_of_death
  FROM patients p ${DEAD_PATIENTS_JOIN}`;

/**
 * Outcomes from facts kept on the patient. The view summarised every patient's events and
 * sorted 150,000 rows on the outcome expression for each report (five times a plain GROUP BY
 * of the same rows). The events' summary now lives on the patient row, recomputed from that
 * patient's events by a statement trigger whenever events are added (events are never changed
 * in what the summary reads, nor deleted), so the view reads patients alone, and the first
 * mailing date is looked up for the dead only. The outcomes are exactly those of before.
 */
export class OutcomeFactsOnPatients1797552000000 implements MigrationInterface {
  name = 'OutcomeFactsOnPatients1797552000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE patients
      ADD COLUMN responded_on date, ADD COLUMN response_mode text,
      ADD COLUMN ineligible boolean NOT NULL DEFAULT false, ADD COLUMN opted_out boolean NOT NULL DEFAULT false,
      ADD COLUMN last_undelivered_at timestamptz, ADD COLUMN last_address_change_at timestamptz`);
    await q.query(`UPDATE patients p SET (${FACT_COLUMNS}) = (SELECT ${EVENT_FACTS} FROM patient_events e WHERE e.patient_id = p.id)
      WHERE EXISTS (SELECT 1 FROM patient_events e WHERE e.patient_id = p.id)`);
    await q.query(`
      CREATE FUNCTION patient_events_summarise() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE patients p SET (${FACT_COLUMNS}) = (SELECT ${EVENT_FACTS} FROM patient_events e WHERE e.patient_id = p.id)
        WHERE p.id IN (SELECT DISTINCT patient_id FROM added_events);
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER patient_events_summarise AFTER INSERT ON patient_events
      REFERENCING NEW TABLE AS added_events FOR EACH STATEMENT EXECUTE FUNCTION patient_events_summarise()`);
    await q.query(`CREATE OR REPLACE VIEW patient_outcomes AS ${OUTCOMES_FROM_FACTS}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE VIEW patient_outcomes AS ${outcomesSql('patient_id, survey_id', 'e.patient_id = p.id AND e.survey_id = p.survey_id')}`);
    await q.query('DROP TRIGGER patient_events_summarise ON patient_events');
    await q.query('DROP FUNCTION patient_events_summarise()');
    await q.query(`ALTER TABLE patients DROP COLUMN responded_on, DROP COLUMN response_mode, DROP COLUMN ineligible,
      DROP COLUMN opted_out, DROP COLUMN last_undelivered_at, DROP COLUMN last_address_change_at`);
  }
}
