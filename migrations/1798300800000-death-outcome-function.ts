import { MigrationInterface, QueryRunner } from 'typeorm';
import { OUTCOMES_BY_FUNCTION } from './1798108800000-outcome-function';

/**
 * A patient's outcome as the facts on their row give it, death aside: the expression the
 * response-rate report groups on (OUTCOMES in ReportsService). Statistics apply to the same
 * expression only, so the two must stay alike.
 */
export const ROW_OUTCOME = `patient_outcome(final_outcome, responded_on IS NOT NULL, NULL, ineligible,
  patient_undelivered(last_undelivered_at, last_address_change_at), opted_out)`;

/**
 * The dead's outcome (7 if they died before their first mailing was sent, else 3) as two
 * functions, so the response-rate report can count the living and the dead in one parallel
 * scan of the survey's patients, by the view's rule. It used to count the dead through the
 * view after the living, one patient at a time in a single process: a third of the report's
 * time for the 1–2% of a sample who die.
 *
 * `patient_first_sent_on` reads the ledger, so it is not inlined: callers call it for the dead
 * alone (inside a CASE), which is why it declares itself cheap to the planner. The report groups
 * on ROW_OUTCOME, so the statistics that kept its former grouping parallel now describe that
 * expression. Outcomes are exactly those of before.
 */
export class DeathOutcomeFunction1798300800000 implements MigrationInterface {
  name = 'DeathOutcomeFunction1798300800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION patient_first_sent_on(patient bigint) RETURNS date
      LANGUAGE sql STABLE PARALLEL SAFE COST 1
      RETURN (SELECT (min(m.completed_at) AT TIME ZONE 'Europe/London')::date FROM mailings m
              WHERE m.patient_id = patient AND m.status = 'sent')`);
    // The day of death when known, else the day the death was recorded.
    await q.query(`
      CREATE FUNCTION patient_death_outcome(date_of_death date, recorded_at timestamptz, first_sent_on date) RETURNS int
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN CASE WHEN coalesce(date_of_death, (recorded_at AT TIME ZONE 'Europe/London')::date) < coalesce(first_sent_on, 'infinity'::date)
                  THEN 7 ELSE 3 END`);
    await q.query(`
      CREATE OR REPLACE VIEW patient_outcomes AS
      SELECT p.id AS patient_id, p.survey_id, p.trust_code,
        patient_outcome(p.final_outcome, p.responded_on IS NOT NULL,
          CASE WHEN d.dead_patient IS NOT NULL THEN patient_death_outcome(d.date_of_death, d.recorded_at, d.first_sent_on) END,
          p.ineligible, patient_undelivered(p.last_undelivered_at, p.last_address_change_at), p.opted_out) AS outcome,
        p.response_mode, p.responded_on, d.date_of_death, d.dead_patient IS NOT NULL AS deceased
      FROM patients p
      LEFT JOIN (
        SELECT dp.id AS dead_patient, dp.survey_id, d.date_of_death, d.recorded_at, patient_first_sent_on(dp.id) AS first_sent_on
        FROM survey_deaths d JOIN patients dp ON dp.survey_id = d.survey_id AND dp.nhs_number = d.nhs_number
      ) d ON d.survey_id = p.survey_id AND d.dead_patient = p.id`);
    // The report groups on the outcome the facts on the row give: without these statistics the
    // planner takes the expression for one group per patient and gives up its parallel plan.
    await q.query('DROP STATISTICS patients_outcome_facts');
    await q.query(`CREATE STATISTICS patients_outcome_groups (ndistinct) ON trust_code, (${ROW_OUTCOME}), response_mode FROM patients`);
    // Gathered now, not at autovacuum's next visit: the report needs them from its first run.
    await q.query('ANALYZE patients');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP STATISTICS patients_outcome_groups');
    await q.query('CREATE STATISTICS patients_outcome_facts (ndistinct) ON trust_code, final_outcome, response_mode FROM patients');
    await q.query(`CREATE OR REPLACE VIEW patient_outcomes AS ${OUTCOMES_BY_FUNCTION}`);
    await q.query('DROP FUNCTION patient_death_outcome(date, timestamptz, date)');
    await q.query('DROP FUNCTION patient_first_sent_on(bigint)');
  }
}
