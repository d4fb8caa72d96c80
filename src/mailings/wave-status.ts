import type { DataSource } from 'typeorm';
import type { MailingPlanStep } from '../surveys/mailing-plan';
import type { Survey } from '../surveys/survey.entity';
import { emailMessageId } from './email-mailings.service';
import { printRunId } from './print-files';
import { SUPPRESSION_REASONS, SuppressionReason } from './suppression';
import { Channel, CHANNELS } from './wave-planning';

export interface ChannelProgress {
  planned: number;
  sent: number;
  suppressed: Record<SuppressionReason, number> & { total: number };
  failed: number;
  /** Of the failed, messages that may have reached the mail server or Notify: retried only by reference, once confirmed not delivered. */
  interrupted: number;
  /** Not yet produced: pending, or being sent right now. */
  waiting: number;
  /** Of the sent e-mails, those that came back as undeliverable for good (the address is not used again). */
  bounced: number;
}

export const DELIVERY_STATUSES = ['delivered', 'permanent-failure', 'temporary-failure', 'technical-failure'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface StepProgress {
  step: string;
  launchedAt: string;
  launchedBy: string;
  scheduledFor: string;
  paused: boolean;
  pausedAt: string | null;
  pausedBy: string | null;
  pauseReason: string | null;
  channels: Record<Channel, ChannelProgress>;
  /** Notify's delivery receipts for the step's sent texts; texts sent without a receipt yet are not counted. */
  smsReceipts: Record<DeliveryStatus, number>;
  printFiles: { planned: number; printed: number; empty: number };
  /** Each interrupted e-mail, for the coordinator to look up in the mail server's log. */
  interruptedEmails: InterruptedEmail[];
}

export interface InterruptedEmail { reference: string; messageId: string; interruptedAt: string; error: string }

export interface WaveStatus {
  survey: string;
  steps: StepProgress[];
}

/** A row of mailing_steps: one launched step of a survey's plan. */
export interface StepRow {
  step: string;
  launched_at: Date;
  launched_by: string;
  scheduled_for: Date;
  paused_at: Date | null;
  paused_by: string | null;
  pause_reason: string | null;
}

/** Counts the ledger of a survey's launched steps (or one), in the plan's order. */
export async function waveStatus(dataSource: DataSource, survey: Survey, plan: MailingPlanStep[], step: string | undefined, mailFrom: string): Promise<WaveStatus | null> {
  const steps: StepRow[] = await dataSource.query(
    `SELECT * FROM mailing_steps WHERE survey_id = $1 AND ($2::text IS NULL OR step = $2)`, [survey.id, step ?? null]);
  if (step && !steps.length) return null;
  const counts: { step: string; channel: Channel; status: string; reason: SuppressionReason | null; interrupted: boolean; delivery: DeliveryStatus | null; n: number; bounced: number }[] =
    await dataSource.query(
      `SELECT step, channel, status, suppression_reason AS reason, interrupted, delivery_status AS delivery, count(*)::int AS n,
         count(*) FILTER (WHERE bounce_status = 'permanent')::int AS bounced FROM mailings
       WHERE survey_id = $1 AND ($2::text IS NULL OR step = $2) GROUP BY 1, 2, 3, 4, 5, 6`, [survey.id, step ?? null]);
  const interrupted: { step: string; id: string; reference: string; message_id: string | null; completed_at: Date; error: string }[] =
    await dataSource.query(
      `SELECT m.step, m.id::text AS id, p.survey_reference AS reference, m.message_id, m.completed_at, m.error
       FROM mailings m JOIN patients p ON p.id = m.patient_id
       WHERE m.survey_id = $1 AND ($2::text IS NULL OR m.step = $2) AND m.channel = 'email' AND m.status = 'failed' AND m.interrupted ORDER BY m.id`,
      [survey.id, step ?? null]);
  const files: { step: string; status: 'planned' | 'printed' | 'empty'; n: number }[] = await dataSource.query(
    `SELECT step, status, count(*)::int AS n FROM print_batches
     WHERE survey_id = $1 AND ($2::text IS NULL OR step = $2) AND run_id = ANY($3::text[]) GROUP BY 1, 2`,
    [survey.id, step ?? null, steps.map((s) => printRunId(survey.code, s.step))]);

  // Steps launched under an earlier plan (settings are fixed at creation, so only in theory) go last.
  const order = (name: string) => { const i = plan.findIndex((p) => p.name === name); return i < 0 ? plan.length : i; };
  return {
    survey: survey.code,
    steps: steps.sort((a, b) => order(a.step) - order(b.step)).map((s) => {
      const channels = Object.fromEntries(CHANNELS.map((c) => [c, emptyProgress()])) as Record<Channel, ChannelProgress>;
      const smsReceipts = Object.fromEntries(DELIVERY_STATUSES.map((d) => [d, 0])) as Record<DeliveryStatus, number>;
      for (const row of counts.filter((r) => r.step === s.step)) {
        const p = channels[row.channel];
        p.planned += row.n;
        p.bounced += row.bounced;
        if (row.status === 'sent') p.sent += row.n;
        else if (row.status === 'failed') { p.failed += row.n; if (row.interrupted) p.interrupted += row.n; }
        else if (row.status === 'suppressed' && row.reason) { p.suppressed[row.reason] += row.n; p.suppressed.total += row.n; }
        else p.waiting += row.n;
        if (row.delivery) smsReceipts[row.delivery] += row.n;
      }
      const printFiles = { planned: 0, printed: 0, empty: 0 };
      for (const f of files.filter((r) => r.step === s.step)) printFiles[f.status] += f.n;
      return {
        step: s.step,
        launchedAt: s.launched_at.toISOString(),
        launchedBy: s.launched_by,
        scheduledFor: s.scheduled_for.toISOString(),
        paused: s.paused_at !== null,
        pausedAt: s.paused_at?.toISOString() ?? null,
        pausedBy: s.paused_by,
        pauseReason: s.pause_reason,
        channels,
        smsReceipts,
        printFiles,
        interruptedEmails: interrupted.filter((r) => r.step === s.step).map((r) => ({
          reference: r.reference, messageId: r.message_id ?? emailMessageId(r.id, mailFrom),
          interruptedAt: r.completed_at.toISOString(), error: r.error,
        })),
      };
    }),
  };
}

function emptyProgress(): ChannelProgress {
  const suppressed = Object.fromEntries(SUPPRESSION_REASONS.map((r) => [r, 0])) as Record<SuppressionReason, number>;
  return { planned: 0, sent: 0, suppressed: { ...suppressed, total: 0 }, failed: 0, interrupted: 0, waiting: 0, bounced: 0 };
}
