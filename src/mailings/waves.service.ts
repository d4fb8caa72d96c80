import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../infra/errors/domain-error';
import { MAILING_STEPS, MailingStep } from '../questionnaires/letter-template';
import { assertStep } from '../questionnaires/packs.service';
import { parseSurveySettings } from '../surveys/survey-settings';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import { staleDeceasedCheck } from './deceased-check-freshness';
import { MailingJobs } from './mailing-jobs';
import { PACKS_PER_PRINT_FILE, printRunId } from './print-files';
import { ReconcilerService, ReconcileSummary } from './reconciler.service';
import { SUPPRESSION_REASONS, suppressionReasonSql, SuppressionReason } from './suppression';

export const CHANNELS = ['postal', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface LaunchSummary {
  survey: string;
  step: MailingStep;
  /** True when the step had been launched before: nothing new was planned beyond new patients. */
  alreadyLaunched: boolean;
  launchedAt: string;
  scheduledFor: string;
  /** Ledger rows this launch wrote. */
  added: Record<Channel, number>;
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
  /** Not yet produced: pending, or being sent right now. */
  waiting: number;
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
}

export interface WaveStatus {
  survey: string;
  steps: StepProgress[];
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
  ) {}

  async launch(
    surveyCode: string, stepName: string, launchedBy: string,
    options: { now?: boolean; packsPerFile?: number } = {},
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
      const emails: { id: string }[] = await m.query(
        `INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel)
         SELECT $1, p.id, p.trust_code, $2, 'email' FROM patients p WHERE p.survey_id = $1 AND p.email IS NOT NULL
         ON CONFLICT (patient_id, step, channel) DO NOTHING RETURNING id`, [survey.id, step]);
      const [row]: StepRow[] = await m.query('SELECT * FROM mailing_steps WHERE survey_id = $1 AND step = $2', [survey.id, step]);
      return { alreadyLaunched: !inserted, row, printBatches, emails: emails.map((e) => String(e.id)) };
    });

    if (planned.printBatches.packs || planned.emails.length) {
      // A launch adds a row per patient at once. Without fresh statistics the planner takes a
      // step's pending rows for a handful and walks all of them to claim one e-mail (12 ms a
      // claim at 150,000) until autovacuum catches up.
      await this.dataSource.query('ANALYZE mailings');
    }
    const ledger = await this.ledgerCounts(survey.id, step);
    const summary: LaunchSummary = {
      survey: survey.code,
      step,
      alreadyLaunched: planned.alreadyLaunched,
      launchedAt: planned.row.launched_at.toISOString(),
      scheduledFor: planned.row.scheduled_for.toISOString(),
      added: { postal: planned.printBatches.packs, email: planned.emails.length },
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
    await this.requireLaunched(survey, step);
    await this.dataSource.query(
      `UPDATE mailing_steps SET paused_at = now(), paused_by = $3, pause_reason = $4
       WHERE survey_id = $1 AND step = $2 AND paused_at IS NULL`,
      [survey.id, step, pausedBy, reason?.trim() || `Paused by ${pausedBy}`]);
    return (await this.status(survey.code, step)).steps[0];
  }

  async resume(surveyCode: string, stepName: string): Promise<StepProgress & { jobsQueued: number }> {
    const step = assertStep(stepName);
    const survey = await this.surveys.get(surveyCode);
    await this.requireLaunched(survey, step);
    const stale = await staleDeceasedCheck(this.dataSource.manager, survey);
    if (stale) throw new DomainError('invalid_state', `${step} stays paused. ${stale}, then resume.`);
    await this.dataSource.query(
      `UPDATE mailing_steps SET paused_at = NULL, paused_by = NULL, pause_reason = NULL WHERE survey_id = $1 AND step = $2`,
      [survey.id, step]);
    // Jobs that ran while paused finished without touching their rows: queue those rows again.
    const { requeued } = await this.reconciler.reconcile(survey.code, step);
    return { ...(await this.status(survey.code, step)).steps[0], jobsQueued: requeued.email + requeued.postal };
  }

  /** Failed rows back to pending and their jobs running again: "retry by hand" after a fix. */
  async retryFailed(surveyCode: string, stepName: string): Promise<{ reset: Record<Channel, number> } & ReconcileSummary> {
    const step = assertStep(stepName);
    const survey = await this.surveys.get(surveyCode);
    await this.requireLaunched(survey, step);
    const rows: { channel: Channel; n: number }[] = await this.dataSource.query(
      `WITH reset AS (
         UPDATE mailings SET status = 'pending', claimed_at = NULL, claimed_by = NULL, completed_at = NULL
         WHERE survey_id = $1 AND step = $2 AND status = 'failed' RETURNING channel)
       SELECT channel, count(*)::int AS n FROM reset GROUP BY channel`, [survey.id, step]);
    const reconciled = await this.reconciler.reconcile(survey.code, step);
    return { reset: { postal: 0, email: 0, ...Object.fromEntries(rows.map((r) => [r.channel, r.n])) }, ...reconciled };
  }

  async status(surveyCode: string, stepName?: string): Promise<WaveStatus> {
    const survey = await this.surveys.get(surveyCode);
    const step = stepName === undefined ? undefined : assertStep(stepName);
    const steps: StepRow[] = await this.dataSource.query(
      `SELECT * FROM mailing_steps WHERE survey_id = $1 AND ($2::text IS NULL OR step = $2)`, [survey.id, step ?? null]);
    if (step && !steps.length) throw new DomainError('not_found', `${step} has not been launched in this survey`);
    const counts: { step: MailingStep; channel: Channel; status: string; reason: SuppressionReason | null; n: number }[] =
      await this.dataSource.query(
        `SELECT step, channel, status, suppression_reason AS reason, count(*)::int AS n FROM mailings
         WHERE survey_id = $1 AND ($2::text IS NULL OR step = $2) GROUP BY 1, 2, 3, 4`, [survey.id, step ?? null]);
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
          if (row.status === 'sent') p.sent += row.n;
          else if (row.status === 'failed') p.failed += row.n;
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
        };
      }),
    };
  }

  /**
   * What launching a step would do now, for the coordinator's confirmation: who would be sent
   * post and e-mail, and who is suppressed at this moment and why (the final check is still
   * made as each letter or e-mail is produced).
   */
  async preview(surveyCode: string, stepName: string): Promise<{ step: MailingStep; patients: number; postal: number; email: number; suppressed: Record<string, number>; launched: boolean }> {
    const survey = await this.surveys.get(surveyCode);
    const step = assertStep(stepName);
    const rows: { reason: string | null; has_email: boolean; n: number }[] = await this.dataSource.query(
      `SELECT ${suppressionReasonSql('p')} AS reason, p.email IS NOT NULL AS has_email, count(*)::int AS n
       FROM patients p WHERE p.survey_id = $1 GROUP BY 1, 2`, [survey.id]);
    const [launched] = await this.dataSource.query('SELECT 1 FROM mailing_steps WHERE survey_id = $1 AND step = $2', [survey.id, step]);
    const suppressed: Record<string, number> = {};
    for (const r of rows.filter((x) => x.reason)) suppressed[r.reason!] = (suppressed[r.reason!] ?? 0) + r.n;
    const mailable = rows.filter((r) => !r.reason);
    return {
      step, launched: Boolean(launched), patients: rows.reduce((n, r) => n + r.n, 0),
      postal: mailable.reduce((n, r) => n + r.n, 0), email: mailable.filter((r) => r.has_email).reduce((n, r) => n + r.n, 0), suppressed,
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
  private async planPostal(m: EntityManager, survey: Survey, step: MailingStep, perFile: number): Promise<{ ids: string[]; packs: number }> {
    const runId = printRunId(survey.code, step);
    const planned = { ids: [] as string[], packs: 0 };
    for (const largePrint of [false, true]) {
      const unplanned = `FROM patients p WHERE p.survey_id = $1 AND (p.preferred_format = 'large_print') = $6
        AND NOT EXISTS (SELECT 1 FROM mailings x WHERE x.patient_id = p.id AND x.step = $2 AND x.channel = 'postal')`;
      const [{ n }] = await m.query(
        `SELECT count(*)::int AS n ${unplanned.replace('$6', '$3')}`, [survey.id, step, largePrint]);
      if (!n) continue;
      const [{ last }] = await m.query('SELECT coalesce(max(batch_number), 0)::int AS last FROM print_batches WHERE run_id = $1', [runId]);
      const files: { id: string }[] = await m.query(
        `INSERT INTO print_batches (survey_id, step, large_print, run_id, batch_number, packs, pages, status)
         SELECT $1, $2, $6, $3, $4 + g, 0, 0, 'planned' FROM generate_series(1, $5::int) g RETURNING id`,
        [survey.id, step, runId, last, Math.ceil(n / perFile), largePrint]);
      await m.query(
        `INSERT INTO mailings (survey_id, patient_id, trust_code, step, channel, print_batch_id)
         SELECT $1, x.id, x.trust_code, $2, 'postal', pb.id
         FROM (SELECT p.id, p.trust_code, (row_number() OVER (ORDER BY p.postcode COLLATE "C", p.survey_reference) - 1) / $5 AS chunk
               ${unplanned}) x
         JOIN print_batches pb ON pb.run_id = $3 AND pb.batch_number = $4 + x.chunk + 1`,
        [survey.id, step, runId, last, perFile, largePrint]);
      planned.ids.push(...files.map((f) => f.id));
      planned.packs += n;
    }
    return planned;
  }

  private async ledgerCounts(surveyId: string, step: MailingStep): Promise<Record<Channel, number>> {
    const rows: { channel: Channel; n: number }[] = await this.dataSource.query(
      'SELECT channel, count(*)::int AS n FROM mailings WHERE survey_id = $1 AND step = $2 GROUP BY channel', [surveyId, step]);
    return { postal: 0, email: 0, ...Object.fromEntries(rows.map((r) => [r.channel, r.n])) };
  }

  private async requireLaunched(survey: Survey, step: MailingStep): Promise<void> {
    const [row] = await this.dataSource.query('SELECT 1 FROM mailing_steps WHERE survey_id = $1 AND step = $2', [survey.id, step]);
    if (!row) throw new DomainError('invalid_state', `${step} has not been launched in this survey: launch it first (wave:launch)`);
  }
}

function emptyProgress(): ChannelProgress {
  const suppressed = Object.fromEntries(SUPPRESSION_REASONS.map((r) => [r, 0])) as Record<SuppressionReason, number>;
  return { planned: 0, sent: 0, suppressed: { ...suppressed, total: 0 }, failed: 0, waiting: 0 };
}
