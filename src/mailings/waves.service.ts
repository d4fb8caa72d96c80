import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig, smsEnabled } from '../infra/config/app-config';
import { DomainError } from '../infra/errors/domain-error';
import { MailingPlanStep, mailingPlanOf, planStep, stepChannels } from '../surveys/mailing-plan';
import { parseSurveySettings } from '../surveys/survey-settings';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import { staleDeceasedCheck } from './deceased-check-freshness';
import { startFieldwork } from './fieldwork-start';
import { MailingJobs } from './mailing-jobs';
import { PACKS_PER_PRINT_FILE } from './print-files';
import { ReconcilerService } from './reconciler.service';
import { Channel, countReasons, planMessages, planPostal, PlannedMessages, PlannedPostal, unplannedSql } from './wave-planning';
import { StepProgress, StepRow, waveStatus, WaveStatus } from './wave-status';

export { CHANNELS } from './wave-planning';
export type { Channel } from './wave-planning';
export type { ChannelProgress, InterruptedEmail, StepProgress, WaveStatus } from './wave-status';

/** Said wherever a step with texts is launched or previewed while Notify is not configured. */
export const SMS_OFF = 'SMS is off (NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID are not both set): no texts were planned for this step. '
  + 'Launch the step again once SMS is configured to plan them.';

export interface LaunchSummary {
  survey: string;
  step: string;
  /** True when the step had been launched before: nothing new was planned beyond new patients. */
  alreadyLaunched: boolean;
  launchedAt: string;
  scheduledFor: string;
  /** Letters, e-mails and texts this launch planned to send (pending in the ledger). */
  added: Record<Channel, number>;
  /** Patients this launch held back, recorded in the ledger as suppressed, by channel and reason. */
  heldBack: Record<Channel, Record<string, number>>;
  /** Ledger rows the step now holds. */
  ledger: Record<Channel, number>;
  printFiles: number;
  jobsQueued: number;
  /** The step sends texts but SMS is off: none were planned (SMS_OFF says so in words). */
  smsOff: boolean;
  notes: string[];
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
  step: string;
  launched: boolean;
  patients: number;
  /** Letters, e-mails and texts that would be planned to go. */
  mail: Record<Channel, number>;
  /** Patients who would be held back (recorded as suppressed), by channel and reason. */
  heldBack: Record<Channel, Record<string, number>>;
  /** When the mail would go: now for the first step, else its day after the first step's launch; null until that is launched. */
  scheduledFor: string | null;
  /** The step's channels in the survey's plan, and whether it is limited to a group. */
  channels: Channel[];
  limitedToGroup: boolean;
  smsOff: boolean;
  preconditions: LaunchPrecondition[];
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

  /** The survey and the named step of its plan (refused with the plan's step names). */
  async planned(surveyCode: string, stepName: string): Promise<{ survey: Survey; plan: MailingPlanStep[]; step: MailingPlanStep }> {
    const survey = await this.surveys.get(surveyCode);
    const plan = mailingPlanOf(parseSurveySettings(survey.settings));
    return { survey, plan, step: planStep(plan, stepName) };
  }

  async launch(
    surveyCode: string, stepName: string, launchedBy: string,
    options: { now?: boolean; packsPerFile?: number; expect?: Partial<Record<Channel, number>> } = {},
  ): Promise<LaunchSummary> {
    const { survey, plan, step: planned } = await this.planned(surveyCode, stepName);
    const step = planned.name;
    const channels = stepChannels(planned);
    const smsOff = channels.includes('sms') && !smsEnabled(this.config);
    if (!survey.sampleLockedAt) {
      throw new DomainError('invalid_state', `The sample for this survey is not locked yet: lock it (sample:lock) before launching a mailing`);
    }
    const stale = await staleDeceasedCheck(this.dataSource.manager, survey);
    if (stale) throw new DomainError('invalid_state', `${step} was not launched. ${stale}, then launch again.`);

    const result = await this.dataSource.transaction(async (m) => {
      // One launch at a time per survey: a second concurrent launch waits, then finds the rows.
      await m.query('SELECT 1 FROM surveys WHERE id = $1 FOR UPDATE', [survey.id]);
      const scheduledFor = await this.scheduleFor(m, survey, plan, planned, options.now ?? false);
      const [inserted] = await m.query(
        `INSERT INTO mailing_steps (survey_id, step, launched_by, scheduled_for) VALUES ($1, $2, $3, $4)
         ON CONFLICT (survey_id, step) DO NOTHING RETURNING step`, [survey.id, step, launchedBy, scheduledFor]);
      // The first launch of the first step starts fieldwork: its date, and the questionnaire each patient is sent.
      if (inserted && step === plan[0].name) await startFieldwork(m, survey.id);
      const none: PlannedMessages = { ids: [], heldBack: {} };
      const printBatches: PlannedPostal = channels.includes('postal')
        ? await planPostal(m, survey, step, Math.min(options.packsPerFile ?? this.config.PRINT_FILE_PACKS, PACKS_PER_PRINT_FILE), planned.group)
        : { ids: [], packs: 0, heldBack: {} };
      const emails = channels.includes('email') ? await planMessages(m, survey.id, step, 'email', planned.group) : none;
      const texts = channels.includes('sms') && !smsOff ? await planMessages(m, survey.id, step, 'sms', planned.group) : none;
      const added = { postal: printBatches.packs, email: emails.ids.length, sms: texts.ids.length };
      // The confirmation's numbers are a promise: if they no longer hold, nothing is launched.
      const expected = options.expect;
      if (expected && (['postal', 'email', 'sms'] as const).some((c) => expected[c] !== undefined && expected[c] !== added[c])) {
        throw new DomainError('invalid_state', `${step} was not launched: since the confirmation was shown, the number of patients to mail has changed `
          + `(now ${added.postal} letters, ${added.email} e-mails and ${added.sms} texts). Check the new numbers and confirm again.`);
      }
      if (step === plan[0].name) {
        // The first mail out starts fieldwork.
        await m.query(`UPDATE surveys SET status = 'fieldwork', updated_at = now() WHERE id = $1 AND status IN ('setup', 'sampling')`, [survey.id]);
      }
      const [row]: StepRow[] = await m.query('SELECT * FROM mailing_steps WHERE survey_id = $1 AND step = $2', [survey.id, step]);
      return {
        alreadyLaunched: !inserted, row, printBatches, added, emails: emails.ids, texts: texts.ids,
        heldBack: { postal: printBatches.heldBack, email: emails.heldBack, sms: texts.heldBack },
      };
    });

    if (result.printBatches.packs || result.emails.length || result.texts.length) {
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
      alreadyLaunched: result.alreadyLaunched,
      launchedAt: result.row.launched_at.toISOString(),
      scheduledFor: result.row.scheduled_for.toISOString(),
      added: result.added,
      heldBack: result.heldBack,
      ledger,
      printFiles: result.printBatches.ids.length,
      jobsQueued: 0,
      smsOff,
      notes: smsOff ? [SMS_OFF] : [],
    };
    if (result.row.paused_at) return summary; // resume queues the work
    try {
      summary.jobsQueued = await this.jobs.enqueue({
        emails: result.emails, texts: result.texts, printBatches: result.printBatches.ids, dueAt: result.row.scheduled_for,
      });
    } catch (error) {
      throw new DomainError('unavailable',
        `The ${step} mailing for this survey is planned (${summary.added.postal} letters, ${summary.added.email} e-mails, ${summary.added.sms} texts written to the ledger) `
        + `but its jobs could not be queued: ${(error as Error).message}. Nothing is lost: run wave:reconcile once Redis is back.`);
    }
    return summary;
  }

  async pause(surveyCode: string, stepName: string, pausedBy: string, reason?: string): Promise<StepProgress> {
    const { survey, step: { name: step } } = await this.planned(surveyCode, stepName);
    await requireLaunched(this.dataSource, survey, step);
    await this.dataSource.query(
      `UPDATE mailing_steps SET paused_at = now(), paused_by = $3, pause_reason = $4
       WHERE survey_id = $1 AND step = $2 AND paused_at IS NULL`,
      [survey.id, step, pausedBy, reason?.trim() || `Paused by ${pausedBy}`]);
    return (await this.status(survey.code, step)).steps[0];
  }

  async resume(surveyCode: string, stepName: string): Promise<StepProgress & { jobsQueued: number }> {
    const { survey, step: { name: step } } = await this.planned(surveyCode, stepName);
    await requireLaunched(this.dataSource, survey, step);
    const stale = await staleDeceasedCheck(this.dataSource.manager, survey);
    if (stale) throw new DomainError('invalid_state', `${step} stays paused. ${stale}, then resume.`);
    await this.dataSource.query(
      `UPDATE mailing_steps SET paused_at = NULL, paused_by = NULL, pause_reason = NULL WHERE survey_id = $1 AND step = $2`,
      [survey.id, step]);
    // Jobs that ran while paused finished without touching their rows: queue those rows again.
    const { requeued } = await this.reconciler.reconcile(survey.code, step);
    return { ...(await this.status(survey.code, step)).steps[0], jobsQueued: requeued.email + requeued.postal + requeued.sms };
  }

  async status(surveyCode: string, stepName?: string): Promise<WaveStatus> {
    const survey = await this.surveys.get(surveyCode);
    const plan = mailingPlanOf(parseSurveySettings(survey.settings));
    const step = stepName === undefined ? undefined : planStep(plan, stepName).name;
    const status = await waveStatus(this.dataSource, survey, plan, step, this.config.MAIL_FROM);
    if (!status) throw new DomainError('not_found', `${step} has not been launched in this survey`);
    return status;
  }

  /**
   * What launching a step would do now, for the coordinator's confirmation: the preconditions,
   * when it would go, and the same planning query the launch runs, so the numbers confirmed are
   * the numbers the ledger then holds (the final check is still made as each is produced).
   */
  async preview(surveyCode: string, stepName: string): Promise<LaunchPreview> {
    const { survey, plan, step: planned } = await this.planned(surveyCode, stepName);
    const step = planned.name;
    const channels = stepChannels(planned);
    const smsOff = channels.includes('sms') && !smsEnabled(this.config);
    type Counted = { reason: string | null; n: number }[];
    const count = (channel: Channel): Promise<Counted> => channels.includes(channel) && !(channel === 'sms' && smsOff)
      ? this.dataSource.query(`SELECT reason, count(*)::int AS n FROM (${unplannedSql(channel, planned.group)}) u GROUP BY 1`, [survey.id, step])
      : Promise.resolve([]);
    const [postal, email, sms, [launched], [first], [{ patients }], stale] = await Promise.all([
      count('postal'), count('email'), count('sms'),
      this.dataSource.query('SELECT 1 FROM mailing_steps WHERE survey_id = $1 AND step = $2', [survey.id, step]),
      this.dataSource.query(`SELECT launched_at FROM mailing_steps WHERE survey_id = $1 AND step = $2`, [survey.id, plan[0].name]),
      this.dataSource.query('SELECT count(*)::int AS patients FROM patients WHERE survey_id = $1', [survey.id]),
      staleDeceasedCheck(this.dataSource.manager, survey),
    ]) as [Counted, Counted, Counted, unknown[], { launched_at: Date }[], { patients: number }[], string | null];
    const isFirst = step === plan[0].name;
    const due = isFirst ? new Date()
      : first ? new Date(Math.max(Date.now(), new Date(first.launched_at).getTime() + planned.day * DAY_MS)) : null;
    const preconditions: LaunchPrecondition[] = [
      { name: 'sample_locked', label: 'The sample is locked', met: Boolean(survey.sampleLockedAt),
        problem: survey.sampleLockedAt ? null : 'The sample is not locked yet: lock it (sample:lock) once every trust has uploaded its sample file' },
      { name: 'deceased_check', label: 'The deceased check is recent enough', met: !stale, problem: stale ? `${stale}.` : null },
    ];
    if (!isFirst) {
      preconditions.push({ name: 'previous_step', label: `The ${plan[0].name.replace(/_/g, ' ')} mailing has been launched`, met: Boolean(first),
        problem: first ? null : `${step} follows the ${plan[0].name} mailing: launch ${plan[0].name} first` });
    }
    const mailable = (rows: Counted) => rows.filter((r) => !r.reason).reduce((n, r) => n + r.n, 0);
    return {
      step, launched: Boolean(launched), patients,
      mail: { postal: mailable(postal), email: mailable(email), sms: mailable(sms) },
      heldBack: { postal: countReasons(postal), email: countReasons(email), sms: countReasons(sms) },
      scheduledFor: due?.toISOString() ?? null,
      channels, limitedToGroup: Boolean(planned.group), smsOff,
      preconditions,
    };
  }

  /** The first step goes now; a later one at its day after the first step's launch, or now if asked or already due. */
  private async scheduleFor(m: EntityManager, survey: Survey, plan: MailingPlanStep[], step: MailingPlanStep, now: boolean): Promise<Date> {
    if (step.name === plan[0].name) return new Date();
    const [first] = await m.query(`SELECT launched_at FROM mailing_steps WHERE survey_id = $1 AND step = $2`, [survey.id, plan[0].name]);
    if (!first) throw new DomainError('invalid_state', `${step.name} follows the ${plan[0].name} mailing: launch ${plan[0].name} in this survey first`);
    if (now) return new Date();
    const due = new Date(new Date(first.launched_at).getTime() + step.day * DAY_MS);
    return due > new Date() ? due : new Date();
  }

  private async ledgerCounts(surveyId: string, step: string): Promise<Record<Channel, number>> {
    const rows: { channel: Channel; n: number }[] = await this.dataSource.query(
      'SELECT channel, count(*)::int AS n FROM mailings WHERE survey_id = $1 AND step = $2 GROUP BY channel', [surveyId, step]);
    return { postal: 0, email: 0, sms: 0, ...Object.fromEntries(rows.map((r) => [r.channel, r.n])) };
  }
}

export async function requireLaunched(dataSource: DataSource, survey: Survey, step: string): Promise<void> {
  const [row] = await dataSource.query('SELECT 1 FROM mailing_steps WHERE survey_id = $1 AND step = $2', [survey.id, step]);
  if (!row) throw new DomainError('invalid_state', `${step} has not been launched in this survey: launch it first (wave:launch)`);
}
