import { MigrationInterface, QueryRunner } from 'typeorm';
import { DEAD_PATIENTS_JOIN, OUTCOMES_FROM_FACTS } from './1797552000000-outcome-facts-on-patients';

/** The view's query from here on (DeathOutcomeFunction1798300800000 goes back to it). */
export const OUTCOMES_BY_FUNCTION = `
      SELECT p.id AS patient_id, p.survey_id, p.trust_code,
        patient_outcome(p.final_outcome, p.responded_on IS NOT NULL,
          CASE WHEN d.dead_patient IS NOT NULL THEN
            CASE WHEN COALESCE(d.date_of_death, (d.recorded_at AT TIME ZONE 'Europe/London')::date) < COALESCE(d.first_sent_on, 'infinity'::date)
                 THEN 7 ELSE 3 END
          END,
          p.ineligible, patient_undelivered(p.last_undelivered_at, p.last_address_change_at), p.opted_out) AS outcome,
        p.response_mode, p.responded_on, d.date_of_death, d.dead_patient IS NOT NULL AS deceased
      FROM patients p ${DEAD_PATIENTS_JOIN}`;

/**
 * The outcome rule in one place, as two SQL functions the planner inlines, so the
 * response-rate report can count the living by the facts on the patient row (a plain
 * GROUP BY PostgreSQL runs in parallel) and the few dead through the view, with the same
 * rule. Each argument appears once in `patient_outcome`, so an argument that is an expression
 * is still inlined. Statistics on the grouped facts let the planner see that a survey's
 * 150,000 patients fall into about a thousand groups at most (it guessed one group per
 * patient, and chose a serial plan). Outcomes are exactly those of before; the view gains
 * `deceased`.
 */
export class OutcomeFunction1798108800000 implements MigrationInterface {
  name = 'OutcomeFunction1798108800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION patient_undelivered(last_undelivered_at timestamptz, last_address_change_at timestamptz) RETURNS boolean
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN last_undelivered_at IS NOT NULL AND (last_address_change_at IS NULL OR last_address_change_at < last_undelivered_at)`);
    // Precedence: a final outcome (kept at the purge), responded, died (7 before the first mailing was sent, else 3),
    // ineligible, undelivered (and no address change since), opted out or unable, else no response.
    await q.query(`
      CREATE FUNCTION patient_outcome(final_outcome int, responded boolean, death_outcome int, ineligible boolean,
        undelivered boolean, opted_out boolean) RETURNS int
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN coalesce(final_outcome, CASE WHEN responded THEN 1 END, death_outcome,
        CASE WHEN ineligible THEN 5 WHEN undelivered THEN 2 WHEN opted_out THEN 4 ELSE 6 END)`);
    await q.query(`CREATE OR REPLACE VIEW patient_outcomes AS ${OUTCOMES_BY_FUNCTION}`);
    // The planner counts a true/false column as two groups without statistics, so these cover the rest.
    await q.query('CREATE STATISTICS patients_outcome_facts (ndistinct) ON trust_code, final_outcome, response_mode FROM patients');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP STATISTICS patients_outcome_facts');
    // A view's columns can be added by CREATE OR REPLACE, not taken away.
    await q.query('DROP VIEW patient_outcomes');
    await q.query(`CREATE VIEW patient_outcomes AS ${OUTCOMES_FROM_FACTS}`);
    await q.query('DROP FUNCTION patient_outcome(int, boolean, int, boolean, boolean, boolean)');
    await q.query('DROP FUNCTION patient_undelivered(timestamptz, timestamptz)');
  }
}
