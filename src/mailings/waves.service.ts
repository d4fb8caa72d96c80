import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../infra/config/app-config';
import { DomainError } from '../infra/errors/domain-error';
import { MAILING_STEPS, MailingStep } from '../questionnaires/letter-template';
import { assertStep } from '../questionnaires/packs.service';
import { parseSurveySettings } from '../surveys/survey-settings';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import { staleDeceasedCheck } from './deceased-check-freshness';
import { emailMessageId } from './email-mailings.service';
import { MailingJobs } from './mailing-jobs';
import { PACKS_PER_PRINT_FILE, printRunId } from './print-files';
import { ReconcilerService } from './reconciler.service';
import { emailSuppressionReasonSql, SUPPRESSION_REASONS, suppressionReasonSql, SuppressionReason } from './suppression';

export const CHANNELS = ['postal', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface LaunchSummary {
  survey: string;
  step: MailingStep;
  /** True when the step had been launched before: nothing new was planned beyond new patients. */
  alreadyLaunched: boolean;
  launchedAt: string;
  scheduledFor: string;
  /** Letters and e-mails this launch planned to send (pending in the ledger). */
  added: Record<Channel, number>;
  /** Patients this launch held back, recorded in the ledger as suppressed, by channel and reason. */
  heldBack: Record<Channel, Record<string, number>>;
  /** Ledger rows the step now holds. */
  ledger: Record<Channel, number>;
  printFiles: number;
  jobsQueued: number;
}

export interface ChannelProgress {
  planned: number;
  sent: number;
  suppressed: Record<SuppressionReason, number> & { total: number };
  failed: number;
  /** Of the failed, e-mails that may have reached the mail server: retried only by reference, once confirmed not delivered. */
  interrupted: number;
  /** Not yet produced: pending, or being sent right now. */
  waiting: number;
  /** Of the sent e-mails, those that came back as undeliverable for good (the address is not used again). */
  bounced: number;
}

export interface StepProgress {
  step: MailingStep;
  launchedAt: string;
  launchedBy: string;
  scheduledFor: string;
  paused: boolean;
  pausedAt: string | null;
  pausedBy: string | null;
  pauseReason: string | null;
  channels: Record<Channel, ChannelProgress>;
  printFiles: { planned: number; printed: number; empty: number };
  /** Each interrupted e-mail, for the coordinator to look up in the mail server's log. */
  interruptedEmails: InterruptedEmail[];
}

export interface InterruptedEmail { reference: string; messageId: string; interruptedAt: string; error: string }

export interface WaveStatus {
  survey: string;
  steps: StepProgress[];
}

/** One thing that must be true before a step may be launched, as the confirmation page lists it. */
export interface LaunchPrecondition {
  name: 'sample_locked' | 'deceased_check' | 'previous_step';
  label: string;
  met: boolean;
  /** What is wrong and what to do, when not met. */
  problem: string | null;
}

/** What launching a step would do now: the same planning query the launch itself runs. */
export interface LaunchPreview {
  step: MailingStep;
  launched: boolean;
  patients: number;
  /** Letters and e-mails that would be planned to go. */
  mail: Record<Channel, number>;
  /** Patients who would be held back (recorded as suppressed), by channel and reason. */
  heldBack: Record<Channel, Record<string, number>>;
  /** When the mail would go: now for the initial mailing, else the reminder's offset; null until the initial mailing is launched. */
  scheduledFor: string | null;
  preconditions: LaunchPrecondition[];
}

interface StepRow {
  step: MailingStep;
  launched_at: Date;
  launched_by: string;
  scheduled_for: Date;
  paused_at: Date | null;
  paused_by: string | null;
  pause_reason: string | null;
}

const DAY_MS = 86_400_000;

/**
 * Mailing waves: a launch writes the step's ledger (one row per patient × step × channel) in one
 * transaction and only then queues jobs; pause and resume hold and release a step's work; the
 * status counts the ledger.
 */
@Injectable()
export class WavesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly jobs: MailingJobs,
    private readonly reconciler: ReconcilerService,
    private readonly config: AppConfig,
  ) {}

  async launch(
    surveyCode: string, stepName: string, launchedBy: string,
    options: { now?: boolean; packsPerFile?: number; expect?: Record<Channel, number> } = {},
  ): Promise<LaunchSummary> {
    const step = assertStep(stepName);
    const survey = await this.surveys.get(surveyCode);
    if (!survey.sampleLockedAt) {
      throw new DomainError('invalid_state', `The sample for this survey is not locked yet: lock it (sample:lock) before launching a mailing`);
    }
    const stale = await staleDeceasedCheck(this.dataSource.manager, survey);
    if (stale) throw new DomainError('invalid_state', `${step} was not launched. ${stale}, then launch again.`);

    const planned = await this.dataSource.transaction(async (m) => {
      // One launch at a time per survey: a second concurrent launch waits, then finds the rows.
      await m.query('SELECT 1 FROM surveys WHERE id = $1 FOR UPDATE', [survey.id]);
      const scheduledFor = await this.scheduleFor(m, survey, step, options.now ?? false);
      const [inserted] = await m.query(
        `INSERT INTO mailing_steps (survey_id, step, launched_by, scheduled_for) VALUES ($1, $2, $3, $4)
         ON CONFLICT (survey_id, step) DO NOTHING RETURNING step`, [survey.id, step, launchedBy, scheduledFor]);
      const printBatches = await this.planPostal(m, survey, step, Math.min(options.packsPerFile ?? PACKS_PER_PRINT_FILE, PACKS_PER_PRINT_FILE));
      const emails: { id: string; reason: string | null }[] = await m.query(
        `INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, status, suppression_reason, completed_at)
         SELECT $1, u.id, u.trust_code, $2, 'email', CASE WHEN u.reason IS NULL THEN 'pending' ELSE 'suppressed' END, u.reason,
                CASE WHEN u.reason IS NULL THEN NULL ELSE now() END
         FROM (${unplannedSql('email')}) u
         ON CONFLICT (patient_id, step, channel) DO NOTHING RETURNING id::text AS id, suppression_reason AS reason`, [survey.id, step]);
      const added = { postal: printBatches.packs, email: emails.filter((e) => !e.reason).length };
      // The confirmation's numbers are a promise: if they no longer hold, nothing is launched.
      if (options.expect && (options.expect.postal !== added.postal || options.expect.email !== added.email)) {
        throw new DomainError('invalid_state', `${step} was not launched: since the confirmation was shown, the number of patients to mail has changed `
          + `(now ${added.postal} letters and ${added.email} e-mails). Check the new numbers and confirm again.`);
      }
      if (step === 'initial') {
        // The first mail out starts fieldwork.
        await m.query(`UPDATE surveys SET status = 'fieldwork', updated_at = now() WHERE id = $1 AND status IN ('setup', 'sampling')`, [survey.id]);
      }
      const [row]: StepRow[] = await m.query('SELECT * FROM mailing_steps WHERE survey_id = $1 AND step = $2', [survey.id, step]);
      return {
        alreadyLaunched: !inserted, row, printBatches, added,
        emails: emails.filter((e) => !e.reason).map((e) => e.id),
        heldBack: { postal: printBatches.heldBack, email: countReasons(emails.filter((e) => e.reason).map((e) => ({ reason: e.reason!, n: 1 }))) },
      };
    });

    if (planned.printBatches.packs || planned.emails.length) {
      // A launch adds a row per patient at once. Without fresh statistics the planner takes a
      // step's pending rows for a handful and walks all of them to claim one e-mail (12 ms a
      // claim at 150,000) until autovacuum catches up. ANALYZE is the owner's: the service
      // runs it through a function the migrations lend it.
      await this.dataSource.query('SELECT refresh_mailings_statistics()');
    }
    const ledger = await this.ledgerCounts(survey.id, step);
    const summary: LaunchSummary = {
      survey: survey.code,
      step,
      alreadyLaunched: planned.alreadyLaunched,
      launchedAt: planned.row.launched_at.toISOString(),
      scheduledFor: planned.row.scheduled_for.toISOString(),
      added: planned.added,
      heldBack: planned.heldBack,
      ledger,
      printFiles: planned.printBatches.ids.length,
      jobsQueued: 0,
    };
    if (planned.row.paused_at) return summary; // resume queues the work
    try {
      summary.jobsQueued = await this.jobs.enqueue({ emails: planned.emails, printBatches: planned.printBatches.ids, dueAt: planned.row.scheduled_for });
    } catch (error) {
      throw new DomainError('unavailable',
        `The ${step} mailing for this survey is planned (${summary.added.postal} letters, ${summary.added.email} e-mails written to the ledger) `
        + `but its jobs could not be queued: ${(error as Error).message}. Nothing is lost: run wave:reconcile once Redis is back.`);
    }
    return summary;
  }

  async pause(surveyCode: string, stepName: string, pausedBy: string, reason?: string): Promise<StepProgress> {
    const step = assertStep(stepName);
    const survey = await this.surveys.get(surveyCode);
    await requireLaunched(this.dataSource, survey, step);
    await this.dataSource.query(
      `UPDATE mailing_steps SET paused_at = now(), paused_by = $3, pause_reason = $4
       WHERE survey_id = $1 AND step = $2 AND paused_at IS NULL`,
      [survey.id, step, pausedBy, reason?.trim() || `Paused by ${pausedBy}`]);
    return (await this.status(survey.code, step)).steps[0];
  }

  async resume(surveyCode: string, stepName: string): Promise<StepProgress & { jobsQueued: number }> {
    const step = assertStep(stepName);
    const survey = await this.surveys.get(surveyCode);
    await requireLaunched(this.dataSource, survey, step);
    const stale = await staleDeceasedCheck(this.dataSource.manager, survey);
    if (stale) throw new DomainError('invalid_state', `${step} stays paused. ${stale}, then resume.`);
    await this.dataSource.query(
      `UPDATE mailing_steps SET paused_at = NULL, paused_by = NULL, pause_reason = NULL WHERE survey_id = $1 AND step = $2`,
      [survey.id, step]);
    // Jobs that ran while paused finished without touching their rows: queue those rows again.
    const { requeued } = await this.reconciler.reconcile(survey.code, step);
    return { ...(await this.status(survey.code, step)).steps[0], jobsQueued: requeued.email + requeued.postal };
  }

  async status(surveyCode: string, stepName?: string): Promise<WaveStatus> {
    const survey = await this.surveys.get(surveyCode);
    const step = stepName === undefined ? undefined : assertStep(stepName);
    const steps: StepRow[] = await this.dataSource.query(
      `SELECT * FROM mailing_steps WHERE survey_id = $1 AND ($2::text IS NULL OR step = $2)`, [survey.id, step ?? null]);
    if (step && !steps.length) throw new DomainError('not_found', `${step} has not been launched in this survey`);
    const counts: { step: MailingStep; channel: Channel; status: string; reason: SuppressionReason | null; interrupted: boolean; n: number; bounced: number }[] =
      await this.dataSource.query(
        `SELECT step, channel, status, suppression_reason AS reason, interrupted, count(*)::int AS n,
           count(*) FILTER (WHERE bounce_status = 'permanent')::int AS bounced FROM mailings
         WHERE survey_id = $1 AND ($2::text IS NULL OR step = $2) GROUP BY 1, 2, 3, 4, 5`, [survey.id, step ?? null]);
    const interrupted: { step: MailingStep; id: string; reference: string; message_id: string | null; completed_at: Date; error: string }[] =
      await this.dataSource.query(
        `SELECT m.step, m.id::text AS id, p.survey_reference AS reference, m.message_id, m.completed_at, m.error
         FROM mailings m JOIN patients p ON p.id = m.patient_id
         WHERE m.survey_id = $1 AND ($2::text IS NULL OR m.step = $2) AND m.status = 'failed' AND m.interrupted ORDER BY m.id`,
        [survey.id, step ?? null]);
    const files: { step: MailingStep; status: 'planned' | 'printed' | 'empty'; n: number }[] = await this.dataSource.query(
      `SELECT step, status, count(*)::int AS n FROM print_batches
       WHERE survey_id = $1 AND ($2::text IS NULL OR step = $2) AND run_id = ANY($3::text[]) GROUP BY 1, 2`,
      [survey.id, step ?? null, MAILING_STEPS.map((s) => printRunId(survey.code, s))]);

    return {
      survey: survey.code,
      steps: steps.sort((a, b) => MAILING_STEPS.indexOf(a.step) - MAILING_STEPS.indexOf(b.step)).map((s) => {
        const channels = Object.fromEntries(CHANNELS.map((c) => [c, emptyProgress()])) as Record<Channel, ChannelProgress>;
        for (const row of counts.filter((r) => r.step === s.step)) {
          const p = channels[row.channel];
          p.planned += row.n;
          p.bounced += row.bounced;
          if (row.status === 'sent') p.sent += row.n;
          else if (row.status === 'failed') { p.failed += row.n; if (row.interrupted) p.interrupted += row.n; }
          else if (row.status === 'suppressed' && row.reason) { p.suppressed[row.reason] += row.n; p.suppressed.total += row.n; }
          else p.waiting += row.n;
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
          printFiles,
          interruptedEmails: interrupted.filter((r) => r.step === s.step).map((r) => ({
            reference: r.reference, messageId: r.message_id ?? emailMessageId(r.id, this.config.MAIL_FROM),
            interruptedAt: r.completed_at.toISOString(), error: r.error,
          })),
        };
      }),
    };
  }

  /**
   * What launching a step would do now, for the coordinator's confirmation: the preconditions,
   * when it would go, and the same planning query the launch runs, so the numbers confirmed are
   * the numbers the ledger then holds (the final check is still made as each is produced).
   */
  async preview(surveyCode: string, stepName: string): Promise<LaunchPreview> {
    const survey = await this.surveys.get(surveyCode);
    const step = assertStep(stepName);
    const [postal, email, [launched], [initial], [{ patients }], stale] = await Promise.all([
      this.dataSource.query(`SELECT reason, count(*)::int AS n FROM (${unplannedSql('postal')}) u GROUP BY 1`, [survey.id, step]),
      this.dataSource.query(`SELECT reason, count(*)::int AS n FROM (${unplannedSql('email')}) u GROUP BY 1`, [survey.id, step]),
      this.dataSource.query('SELECT 1 FROM mailing_steps WHERE survey_id = $1 AND step = $2', [survey.id, step]),
      this.dataSource.query(`SELECT launched_at FROM mailing_steps WHERE survey_id = $1 AND step = 'initial'`, [survey.id]),
      this.dataSource.query('SELECT count(*)::int AS patients FROM patients WHERE survey_id = $1', [survey.id]),
      staleDeceasedCheck(this.dataSource.manager, survey),
    ]) as [{ reason: string | null; n: number }[], { reason: string | null; n: number }[], unknown[], { launched_at: Date }[], { patients: number }[], string | null];
    const due = step === 'initial' ? new Date()
      : initial ? new Date(Math.max(Date.now(), new Date(initial.launched_at).getTime() + parseSurveySettings(survey.settings).schedule[step] * DAY_MS)) : null;
    const preconditions: LaunchPrecondition[] = [
      { name: 'sample_locked', label: 'The sample is locked', met: Boolean(survey.sampleLockedAt),
        problem: survey.sampleLockedAt ? null : 'The sample is not locked yet: lock it (sample:lock) once every trust has uploaded its sample file' },
      { name: 'deceased_check', label: 'The deceased check is recent enough', met: !stale, problem: stale ? `${stale}.` : null },
    ];
    if (step !== 'initial') {
      preconditions.push({ name: 'previous_step', label: 'The initial mailing has been launched', met: Boolean(initial),
        problem: initial ? null : `A reminder follows the initial mailing: launch the initial mailing first` });
    }
    const mailable = (rows: { reason: string | null; n: number }[]) => rows.filter((r) => !r.reason).reduce((n, r) => n + r.n, 0);
    return {
      step, launched: Boolean(launched), patients,
      mail: { postal: mailable(postal), email: mailable(email) },
      heldBack: { postal: countReasons(postal), email: countReasons(email) },
      scheduledFor: due?.toISOString() ?? null,
      preconditions,
    };
  }

  /** Initial mail goes now; a reminder at its offset after the initial launch, or now if asked or already due. */
  private async scheduleFor(m: EntityManager, survey: Survey, step: MailingStep, now: boolean): Promise<Date> {
    if (step === 'initial') return new Date();
    const [initial] = await m.query(`SELECT launched_at FROM mailing_steps WHERE survey_id = $1 AND step = 'initial'`, [survey.id]);
    if (!initial) throw new DomainError('invalid_state', `${step} follows the initial mailing: launch initial in this survey first`);
    if (now) return new Date();
    const due = new Date(new Date(initial.launched_at).getTime() + parseSurveySettings(survey.settings).schedule[step] * DAY_MS);
    return due > new Date() ? due : new Date();
  }

  /**
   * Writes the step's postal rows for patients who have none yet, grouped in postcode order
   * into planned print files of at most 2,000 packs (printers want bounded files, Royal Mail
   * sorted ones). Patients who asked the helpline for large print get files of their own.
   */
  private async planPostal(m: EntityManager, survey: Survey, step: MailingStep, perFile: number): Promise<{ ids: string[]; packs: number; heldBack: Record<string, number> }> {
    const runId = printRunId(survey.code, step);
    const planned = { ids: [] as string[], packs: 0, heldBack: {} as Record<string, number> };
    for (const largePrint of [false, true]) {
      // Held-back patients are filed with the rest (a postal row names its print file) but recorded suppressed, never printed.
      const unplanned = `FROM (${unplannedSql('postal')}) p WHERE (p.preferred_format = 'large_print') = $3`;
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

  private async ledgerCounts(surveyId: string, step: MailingStep): Promise<Record<Channel, number>> {
    const rows: { channel: Channel; n: number }[] = await this.dataSource.query(
      'SELECT channel, count(*)::int AS n FROM mailings WHERE survey_id = $1 AND step = $2 GROUP BY channel', [surveyId, step]);
    return { postal: 0, email: 0, ...Object.fromEntries(rows.map((r) => [r.channel, r.n])) };
  }

}

export async function requireLaunched(dataSource: DataSource, survey: Survey, step: MailingStep): Promise<void> {
  const [row] = await dataSource.query('SELECT 1 FROM mailing_steps WHERE survey_id = $1 AND step = $2', [survey.id, step]);
  if (!row) throw new DomainError('invalid_state', `${step} has not been launched in this survey: launch it first (wave:launch)`);
}

/**
 * The patients a launch of step $2 in survey $1 would still plan on a channel, each with the
 * reason they would be held back now (or NULL): shared by the preview and the launch, so the
 * confirmation's numbers are the launch's.
 */
function unplannedSql(channel: Channel): string {
  return `SELECT p.id, p.trust_code, p.postcode, p.survey_reference, p.preferred_format, ${(channel === 'email' ? emailSuppressionReasonSql : suppressionReasonSql)('p')} AS reason
    FROM patients p WHERE p.survey_id = $1 ${channel === 'email' ? 'AND p.email IS NOT NULL' : ''}
    AND NOT EXISTS (SELECT 1 FROM mailings x WHERE x.patient_id = p.id AND x.step = $2 AND x.channel = '${channel}')`;
}

function countReasons(rows: { reason: string | null; n: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.reason) out[r.reason] = (out[r.reason] ?? 0) + r.n;
  return out;
}

function emptyProgress(): ChannelProgress {
  const suppressed = Object.fromEntries(SUPPRESSION_REASONS.map((r) => [r, 0])) as Record<SuppressionReason, number>;
  return { planned: 0, sent: 0, suppressed: { ...suppressed, total: 0 }, failed: 0, interrupted: 0, waiting: 0, bounced: 0 };
}
