import type { EntityManager } from 'typeorm';

/**
 * `email_bounced`: e-mails only, a permanent bounce of the patient's address; `unusable_number`:
 * texts only, the patient's mobile number was reported permanently failing by Notify.
 */
export const SUPPRESSION_REASONS = ['responded', 'deceased', 'opted_out', 'undelivered', 'ineligible', 'email_bounced', 'unusable_number'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/**
 * Why the patient aliased `p` must not be mailed at this moment, or NULL. Evaluated when each
 * letter or e-mail is produced, never when a wave is planned. One reason is recorded; a
 * completed response comes first (it stays the outcome even after a later death report). Mail
 * that came back undelivered stops further mail until a newer address is logged.
 * The events are read through the facts kept on the patient row (responded_on, opted_out, …),
 * which the trigger on patient_events updates in the same statement that adds an event, so
 * they say exactly what the events say, to every transaction, without a lookup per event kind.
 * The same facts give the outcome code (the `patient_outcomes` view).
 */
export const suppressionReasonSql = (p: string) => `
  CASE
    WHEN ${p}.responded_on IS NOT NULL THEN 'responded'
    WHEN EXISTS (SELECT 1 FROM survey_deaths d WHERE d.survey_id = ${p}.survey_id AND d.nhs_number = ${p}.nhs_number) THEN 'deceased'
    WHEN ${p}.opted_out THEN 'opted_out'
    WHEN ${p}.last_undelivered_at IS NOT NULL
         AND (${p}.last_address_change_at IS NULL OR ${p}.last_address_change_at <= ${p}.last_undelivered_at) THEN 'undelivered'
    WHEN ${p}.ineligible THEN 'ineligible'
  END`;

/**
 * The same for an e-mail: every reason of a letter, then an address that bounced for good (a
 * permanent delivery failure). Only e-mail reads it: the postal address is not in doubt.
 */
export const emailSuppressionReasonSql = (p: string) =>
  `coalesce(${suppressionReasonSql(p)}, CASE WHEN ${p}.email_bounced_at IS NOT NULL THEN 'email_bounced' END)`;

const lockKey = (surveyId: string) => `suppression:${surveyId}`;

/**
 * Taken (shared) by every transaction that records a reason not to mail someone: deaths,
 * returns, opt-outs. A print file is committed under the exclusive lock after its final
 * suppression check, so a death recorded while the file was being written either shows up in
 * that check or is committed after the file was handed over — never lost in between.
 */
export async function lockForSuppressionChange(m: Pick<EntityManager, 'query'>, surveyId: string): Promise<void> {
  await m.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [lockKey(surveyId)]);
}

export async function lockForFinalSuppressionCheck(m: Pick<EntityManager, 'query'>, surveyId: string): Promise<void> {
  await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey(surveyId)]);
}
