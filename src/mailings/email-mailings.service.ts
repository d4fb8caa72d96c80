import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../infra/config/app-config';
import { MailTransport, MaybeDeliveredMailError, PermanentMailError } from '../infra/mail/mail-transport';
import { JobPayloads, QUEUE_POLICY } from '../infra/queues/job-catalogue';
import { JobContext, JobHandler } from '../infra/queues/job-handler.decorator';
import { HandedBack } from '../infra/shutdown/draining';
import { MAILING_STEPS } from '../questionnaires/letter-template';
import { salutation, SurveyPrintSettings } from '../questionnaires/pack-renderer';
import { PACK_PATIENT_COLUMNS, PackRow, PacksService } from '../questionnaires/packs.service';
import { MailingPlanStep, mailingPlanOf } from '../surveys/mailing-plan';
import { parseSurveySettings } from '../surveys/survey-settings';
import { SurveysService } from '../surveys/surveys.service';
import { ClaimedRow, DIRECT_RUN, JobRun, LedgerClaims, SendOutcome } from './ledger-claims';
import { MailingJobs } from './mailing-jobs';
import { EmailTemplate, loadEmailTemplate, renderEmail, RenderedEmail } from './email-template';
import { StepGate } from './step-gate';
import { emailSuppressionReasonSql } from './suppression';

export type EmailOutcome = SendOutcome;

interface ClaimedEmail extends PackRow, ClaimedRow {
  email: string;
}

/**
 * Sends the e-mail of one ledger row. The row is claimed (pending → sending) in the same
 * statement that checks the step is running, the deceased check fresh, and reads why the
 * patient might now be suppressed; only the claimer sends, so a job run twice sends once.
 *
 * A send whose end is unknown (the worker stopped, the database was unreachable when the result
 * was recorded, or the connection broke off after the message was handed over) cannot be known
 * to have reached the mail server or not: such a row is failed and flagged interrupted, for a
 * person to check the server's log (the Message-ID names the ledger row) and retry it by
 * reference, rather than risk a second e-mail.
 */
@Injectable()
export class EmailMailingsService implements OnModuleInit {
  private readonly templates = new Map<string, EmailTemplate>();
  private readonly surveySettings = new Map<string, { print: SurveyPrintSettings; plan: MailingPlanStep[] }>();
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly transport: MailTransport,
    private readonly surveys: SurveysService,
    private readonly gate: StepGate,
    private readonly packs: PacksService,
    private readonly jobs: MailingJobs,
  ) {
    this.ledger = new LedgerClaims<ClaimedEmail>(dataSource, surveys, gate, {
      channel: 'email',
      noun: 'E-mail',
      columns: `p.email, ${PACK_PATIENT_COLUMNS}`,
      reasonSql: emailSuppressionReasonSql,
      messageIdSql: `'<mailing-' || m.id || '@' || $3::text || '>'`,
      messageIdParam: mailDomain(config.MAIL_FROM),
      interrupted: INTERRUPTED,
      staleClaimSeconds: () => this.staleClaimSeconds(),
    });
  }

  private readonly ledger: LedgerClaims<ClaimedEmail>;

  @JobHandler('mailings.send-email')
  async sendJob(payload: JobPayloads['mailings.send-email'], job: JobContext): Promise<{ outcome: EmailOutcome }> {
    return { outcome: await this.send(payload.mailingId, job) };
  }

  /**
   * A wave's first try at its rows: each is sent as a job of its own would send it, except that
   * a row that does not go (refused, the server unreachable, another worker holding it) is
   * given back and gets a job of its own, which retries it on the queue's schedule and, if it
   * keeps failing, is kept failed for inspection and retry by hand. A worker stopping hands the
   * job back whole: on its next run the rows already sent are found done in the ledger.
   */
  @JobHandler('mailings.send-emails')
  async sendBatchJob(payload: JobPayloads['mailings.send-emails'], job: JobContext): Promise<{ outcomes: Record<string, number> }> {
    const firstTry: JobRun = { jobId: job.jobId, attempt: 1, maxAttempts: Infinity };
    const results = await Promise.allSettled(payload.mailingIds.map((id) => this.send(id, firstTry, true)));
    const outcomes: Record<string, number> = {};
    const refused: string[] = [];
    const later: string[] = [];
    let handedBack = false;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') outcomes[result.value] = (outcomes[result.value] ?? 0) + 1;
      else if (result.reason instanceof HandedBack) handedBack = true;
      // Recorded in the ledger (interrupted, or no such row): nothing to try again.
      else if (result.reason instanceof UnrecoverableError) outcomes.failed = (outcomes.failed ?? 0) + 1;
      else (result.reason instanceof PermanentMailError ? refused : later).push(payload.mailingIds[i]);
    });
    // A refusal is tried once more at once, so its failure is kept as a job's; anything else after the queue's first back-off.
    await this.jobs.emailsOnTheirOwn(refused, 0);
    await this.jobs.emailsOnTheirOwn(later, QUEUE_POLICY.email.backoffMs);
    if (handedBack) throw new HandedBack();
    return { outcomes: { ...outcomes, 'tried-again': refused.length + later.length } };
  }

  send(mailingId: string, job: JobRun = DIRECT_RUN, firstTry = false): Promise<EmailOutcome> {
    return this.transport.slots.run(() => this.ledger.run(mailingId, job, (row) => this.deliver(row, job, firstTry)));
  }

  private async deliver(claimed: ClaimedEmail, job: JobRun, firstTry: boolean): Promise<{ providerId: null }> {
    const mailingId = claimed.mailingId;
    const messageId = emailMessageId(mailingId, this.config.MAIL_FROM);
    try {
      const content = await this.render(claimed);
      await this.transport.send({ to: claimed.email, messageId, ledgerId: mailingId, ...content });
    } catch (error) {
      const message = (error as Error).message;
      if (error instanceof MaybeDeliveredMailError) {
        await this.ledger.interrupted(mailingId, `${CONNECTION_LOST} (${message})`);
        throw new UnrecoverableError(`${CONNECTION_LOST} (${message})`);
      }
      // A refusal on a wave's first try is given back: the row's own job tries once more and keeps the failure.
      if ((error instanceof PermanentMailError && !firstTry) || job.attempt >= job.maxAttempts) {
        await this.ledger.failed(mailingId, message);
        throw error instanceof PermanentMailError ? new UnrecoverableError(message) : error;
      }
      await this.ledger.release(mailingId, message);
      throw error;
    }
    return { providerId: null };
  }

  /** Rows left "sending" by a worker that died: older than any live send could be. */
  staleClaimSeconds(): number {
    return 2 * this.config.MAIL_SEND_TIMEOUT_SECONDS;
  }

  /** The letter's wording of the survey, helpline and online address, so post and e-mail agree. */
  private async render(row: ClaimedEmail): Promise<RenderedEmail> {
    let survey = this.surveySettings.get(row.surveyId);
    if (!survey) {
      const found = (await this.surveys.getById(row.surveyId))!;
      survey = { print: this.packs.rendererFor(found).settings, plan: mailingPlanOf(parseSurveySettings(found.settings)) };
      this.surveySettings.set(row.surveyId, survey);
    }
    const settings = survey.print;
    // The plan names the step's template; a step it no longer has (in theory) keeps its own name.
    const name = survey.plan.find((s) => s.name === row.step)?.channels.email?.template ?? row.step;
    return renderEmail(this.template(name), {
      ...settings,
      salutation: salutation(row, settings.addressee),
      trustName: row.trustName,
      onlineLink: `${settings.onlineUrl}/${row.accessCode}`,
      optOutLink: `${settings.onlineUrl}/${row.accessCode}/opt-out`,
      accessCode: row.accessCode,
      reference: row.reference,
    });
  }

  private template(name: string): EmailTemplate {
    let t = this.templates.get(name);
    if (!t) {
      t = loadEmailTemplate(name);
      this.templates.set(name, t);
    }
    return t;
  }

  /** The default plan's templates, checked at start-up so a broken one stops the process, not a wave (a survey's own are checked at creation). */
  onModuleInit(): void {
    for (const step of MAILING_STEPS) this.template(step);
  }
}

const CHECK_THE_LOG = "Check the mail server's log for its Message-ID; retry it by reference (--ref with --not-delivered) only once the log shows it was not delivered.";

/** A row left "sending": its worker stopped, or could not record the result. */
export const INTERRUPTED =
  'Interrupted while sending: the worker stopped, or the database was unreachable when the result was recorded, '
  + `so the e-mail may or may not have reached the mail server. ${CHECK_THE_LOG}`;

/** The connection failed where the server may already have taken the message. */
export const CONNECTION_LOST =
  'Interrupted while sending: the connection to the mail server broke off after the message was handed over, '
  + `so it may or may not have been delivered. ${CHECK_THE_LOG}`;

const mailDomain = (mailFrom: string) => mailFrom.split('@')[1];

/** Deterministic, so the mail server's log can say whether an interrupted send went out. */
export const emailMessageId = (mailingId: string, mailFrom: string) => `<mailing-${mailingId}@${mailDomain(mailFrom)}>`;
