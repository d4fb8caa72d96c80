import type { EntityManager } from 'typeorm';
import { groupSql, PatientGroup } from '../surveys/mailing-plan';
import type { Survey } from '../surveys/survey.entity';
import { printRunId } from './print-files';
import { emailSuppressionReasonSql, suppressionReasonSql } from './suppression';

export const CHANNELS = ['postal', 'email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];

/** A text is never sent to a number Notify reported as permanently failing (`p` is the patient). */
export const mobileUnusableSql = (p: string) =>
  `EXISTS (SELECT 1 FROM mailings f WHERE f.patient_id = ${p}.id AND f.channel = 'sms' AND f.delivery_status = 'permanent-failure')`;

const CHANNEL_FILTER: Record<Channel, string> = {
  postal: '',
  email: 'AND p.email IS NOT NULL',
  // A number that failed for good at an earlier step is not planned again; the claim checks too.
  sms: `AND p.mobile IS NOT NULL AND NOT ${mobileUnusableSql('p')}`,
};

/**
 * The patients a launch of step $2 in survey $1 would still plan on a channel, within the
 * step's group, each with the reason they would be held back now (or NULL): shared by the
 * preview and the launch, so the confirmation's numbers are the launch's.
 */
export function unplannedSql(channel: Channel, group?: PatientGroup): string {
  // E-mail also holds back an address that bounced for good; letters never read that.
  const reasonSql = channel === 'email' ? emailSuppressionReasonSql : suppressionReasonSql;
  return `SELECT p.id, p.trust_code, p.postcode, p.survey_reference, p.preferred_format, ${reasonSql('p')} AS reason
    FROM patients p WHERE p.survey_id = $1 ${CHANNEL_FILTER[channel]} AND ${groupSql(group, 'p')}
    AND NOT EXISTS (SELECT 1 FROM mailings x WHERE x.patient_id = p.id AND x.step = $2 AND x.channel = '${channel}')`;
}

export interface PlannedPostal { ids: string[]; packs: number; heldBack: Record<string, number> }

/**
 * Writes the step's postal rows for patients who have none yet, grouped in postcode order
 * into planned print files of at most 2,000 packs (printers want bounded files, Royal Mail
 * sorted ones). Patients who asked the helpline for large print get files of their own.
 */
export async function planPostal(m: EntityManager, survey: Survey, step: string, perFile: number, group?: PatientGroup): Promise<PlannedPostal> {
  const runId = printRunId(survey.code, step);
  const planned: PlannedPostal = { ids: [], packs: 0, heldBack: {} };
  for (const largePrint of [false, true]) {
    // Held-back patients are filed with the rest (a postal row names its print file) but recorded suppressed, never printed.
    const unplanned = `FROM (${unplannedSql('postal', group)}) p WHERE (p.preferred_format = 'large_print') = $3`;
    const [{ n }] = await m.query(`SELECT count(*)::int AS n ${unplanned}`, [survey.id, step, largePrint]);
    if (!n) continue;
    const [{ last }] = await m.query('SELECT coalesce(max(batch_number), 0)::int AS last FROM print_batches WHERE run_id = $1', [runId]);
    const files: { id: string }[] = await m.query(
      `INSERT INTO print_batches (survey_id, step, large_print, run_id, batch_number, packs, pages, status)
       SELECT $1, $2, $6, $3, $4 + g, 0, 0, 'planned' FROM generate_series(1, $5::int) g RETURNING id`,
      [survey.id, step, runId, last, Math.ceil(n / perFile), largePrint]);
    const rows: { reason: string | null; n: number }[] = await m.query(
      `WITH ins AS (
         INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, print_batch_id, status, suppression_reason, completed_at)
         SELECT $1, x.id, x.trust_code, $2, 'postal', pb.id, CASE WHEN x.reason IS NULL THEN 'pending' ELSE 'suppressed' END, x.reason,
                CASE WHEN x.reason IS NULL THEN NULL ELSE now() END
         FROM (SELECT p.id, p.trust_code, p.reason, (row_number() OVER (ORDER BY p.postcode COLLATE "C", p.survey_reference) - 1) / $5 AS chunk
               ${unplanned.replace('$3', '$6')}) x
         JOIN print_batches pb ON pb.run_id = $3 AND pb.batch_number = $4 + x.chunk + 1
         RETURNING suppression_reason)
       SELECT suppression_reason AS reason, count(*)::int AS n FROM ins GROUP BY 1`,
      [survey.id, step, runId, last, perFile, largePrint]);
    planned.ids.push(...files.map((f) => f.id));
    planned.packs += rows.filter((r) => !r.reason).reduce((k, r) => k + r.n, 0);
    for (const [reason, k] of Object.entries(countReasons(rows))) planned.heldBack[reason] = (planned.heldBack[reason] ?? 0) + k;
  }
  return planned;
}

export interface PlannedMessages { ids: string[]; heldBack: Record<string, number> }

/** Writes the step's e-mail or SMS rows for patients who have none yet: pending, or suppressed with the reason. */
export async function planMessages(m: EntityManager, surveyId: string, step: string, channel: 'email' | 'sms', group?: PatientGroup): Promise<PlannedMessages> {
  const rows: { id: string; reason: string | null }[] = await m.query(
    `INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, status, suppression_reason, completed_at)
     SELECT $1, u.id, u.trust_code, $2, '${channel}', CASE WHEN u.reason IS NULL THEN 'pending' ELSE 'suppressed' END, u.reason,
            CASE WHEN u.reason IS NULL THEN NULL ELSE now() END
     FROM (${unplannedSql(channel, group)}) u
     ON CONFLICT (patient_id, step, channel) DO NOTHING RETURNING id::text AS id, suppression_reason AS reason`, [surveyId, step]);
  return {
    ids: rows.filter((r) => !r.reason).map((r) => r.id),
    heldBack: countReasons(rows.filter((r) => r.reason).map((r) => ({ reason: r.reason, n: 1 }))),
  };
}

export function countReasons(rows: { reason: string | null; n: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.reason) out[r.reason] = (out[r.reason] ?? 0) + r.n;
  return out;
}
