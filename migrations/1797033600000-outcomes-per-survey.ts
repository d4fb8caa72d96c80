import { MigrationInterface, QueryRunner } from 'typeorm';

/** The view's body, as in UsersAuditRetention1795996800000; `events` is its per-patient summary of patient_events. */
export const outcomesSql = (events: string, joinEvents: string) => `
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
    SELECT ${events},
      min(occurred_on) FILTER (WHERE kind = 'completed') AS responded_on,
      -- The mode of the first completion (same day: any). An ordered array_agg here cost a sort per patient.
      (min(ARRAY[occurred_on::text, mode]) FILTER (WHERE kind = 'completed'))[2] AS response_mode,
      bool_or(kind = 'ineligible') AS ineligible,
      bool_or(kind IN ('opt_out', 'too_ill', 'blank_return')) AS opted_out,
      max(recorded_at) FILTER (WHERE kind = 'undelivered') AS last_undelivered_at,
      max(recorded_at) FILTER (WHERE kind = 'address_change') AS last_address_change_at
    FROM patient_events GROUP BY ${events}
  ) e ON ${joinEvents}
  LEFT JOIN survey_deaths d ON d.survey_id = p.survey_id AND d.nhs_number = p.nhs_number`;

/**
 * Outcomes per survey. The view summarised every survey's events before `WHERE survey_id = $1`
 * could apply, so this year's report slowed as past years' events piled up. Summarised per
 * patient and survey, and joined on both, the planner carries the survey filter into the
 * summary (patient_events_survey index) and reads this survey's events alone. An event's survey
 * is now always its patient's (trigger), so the outcomes are exactly those of before.
 */
export class OutcomesPerSurvey1797033600000 implements MigrationInterface {
  name = 'OutcomesPerSurvey1797033600000';

  async up(q: QueryRunner): Promise<void> {
    const [{ n }] = await q.query(`SELECT count(*)::int AS n FROM patient_events e JOIN patients p ON p.id = e.patient_id WHERE e.survey_id <> p.survey_id`);
    if (n) throw new Error(`${n} patient_events rows name a survey other than their patient's: correct them before this migration`);
    await q.query(`
      CREATE FUNCTION patient_events_same_survey() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM patients WHERE id = NEW.patient_id AND survey_id = NEW.survey_id) THEN
          RAISE EXCEPTION 'a patient event belongs to its patient''s survey' USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER patient_events_same_survey BEFORE INSERT ON patient_events
      FOR EACH ROW EXECUTE FUNCTION patient_events_same_survey()`);
    await q.query(`CREATE OR REPLACE VIEW patient_outcomes AS ${outcomesSql('patient_id, survey_id', 'e.patient_id = p.id AND e.survey_id = p.survey_id')}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE VIEW patient_outcomes AS ${outcomesSql('patient_id', 'e.patient_id = p.id')}`);
    await q.query('DROP TRIGGER patient_events_same_survey ON patient_events');
    await q.query('DROP FUNCTION patient_events_same_survey()');
  }
}
