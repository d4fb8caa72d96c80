import { Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InjectDataSource } from '@nestjs/typeorm';
import { UnrecoverableError } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../infra/config/app-config';
import { CoalescedStatement } from '../infra/database/coalesced-statement';
import { MailTransport, MaybeDeliveredMailError, PermanentMailError } from '../infra/mail/mail-transport';
import type { JobPayloads } from '../infra/queues/job-catalogue';
import { JobContext, JobHandler } from '../infra/queues/job-handler.decorator';
import { MAILING_STEPS, MailingStep } from '../questionnaires/letter-template';
import { salutation, SurveyPrintSettings } from '../questionnaires/pack-renderer';
import { PACK_PATIENT_COLUMNS, PackRow, PacksService } from '../questionnaires/packs.service';
import { SurveysService } from '../surveys/surveys.service';
import { freshDeceasedCheckSql } from './deceased-check-freshness';
import { EmailTemplate, loadEmailTemplate, renderEmail, RenderedEmail } from './email-template';
import { StepGate } from './step-gate';
import { emailSuppressionReasonSql, SuppressionReason } from './suppression';

interface ClaimRequest { mailingId: string; claimant: string }
interface Finish { mailingId: string; status: 'sent' | 'suppressed'; reason: SuppressionReason | null; messageId: string | null }

export type EmailOutcome = 'sent' | 'suppressed' | 'already-done' | 'paused' | 'interrupted';

interface ClaimedEmail extends PackRow {
  mailingId: string;
  surveyId: string;
  step: MailingStep;
  email: string;
  reason: SuppressionReason | null;
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
  private readonly templates = new Map<MailingStep, EmailTemplate>();
  private readonly surveySettings = new Map<string, SurveyPrintSettings>();
  // Concurrent jobs share these statements; a row is in at most one of each at a time.
  private readonly claims = new CoalescedStatement((w: ClaimRequest[]) => this.claimMany(w), (w) => w.mailingId);
  private readonly finished = new CoalescedStatement((f: Finish[]) => this.finishMany(f), (f) => f.mailingId);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly transport: MailTransport,
    private readonly surveys: SurveysService,
    private readonly gate: StepGate,
    private readonly packs: PacksService,
  ) {}

  @JobHandler('mailings.send-email')
  async sendJob(payload: JobPayloads['mailings.send-email'], job: JobContext): Promise<{ outcome: EmailOutcome }> {
    return { outcome: await this.send(payload.mailingId, job) };
  }

  send(mailingId: string, job: Pick<JobContext, 'jobId' | 'attempt' | 'maxAttempts'> = { jobId: undefined, attempt: 1, maxAttempts: 1 }): Promise<EmailOutcome> {
    return this.transport.slots.run(() => this.claimAndSend(mailingId, job));
  }

  private async claimAndSend(mailingId: string, job: Pick<JobContext, 'jobId' | 'attempt' | 'maxAttempts'>): Promise<EmailOutcome> {
    // Checked here, not by the shared statement: one malformed id must not fail its neighbours.
    if (!/^\d{1,18}$/.test(mailingId)) throw new UnrecoverableError(`"${mailingId}" is not an e-mail ledger row id`);
    const claimant = job.jobId ?? `direct-${randomUUID()}`;
    const claimed = await this.claims.call({ mailingId, claimant });
    if (!claimed) return this.notClaimed(mailingId, claimant);

    if (claimed.reason) {
      await this.finished.call({ mailingId, status: 'suppressed', reason: claimed.reason, messageId: null });
      return 'suppressed';
    }
    const messageId = emailMessageId(mailingId, this.config.MAIL_FROM);
    try {
      const content = await this.render(claimed);
      await this.transport.send({ to: claimed.email, messageId, ledgerId: mailingId, ...content });
    } catch (error) {
      const message = (error as Error).message;
      if (error instanceof MaybeDeliveredMailError) {
        await this.dataSource.query(
          `UPDATE mailings SET status = 'failed', interrupted = true, error = $2, completed_at = now() WHERE id = $1 AND status = 'sending'`,
          [mailingId, `${CONNECTION_LOST} (${message})`]);
        throw new UnrecoverableError(`${CONNECTION_LOST} (${message})`);
      }
      if (error instanceof PermanentMailError || job.attempt >= job.maxAttempts) {
        await this.dataSource.query(
          `UPDATE mailings SET status = 'failed', error = $2, completed_at = now() WHERE id = $1 AND status = 'sending'`, [mailingId, message]);
        throw error instanceof PermanentMailError ? new UnrecoverableError(message) : error;
      }
      // Not sent: give the row back so the retry can claim it.
      await this.dataSource.query(
        `UPDATE mailings SET status = 'pending', claimed_at = NULL, claimed_by = NULL, error = $2 WHERE id = $1 AND status = 'sending'`, [mailingId, message]);
      throw error;
    }
    try {
      await this.finished.call({ mailingId, status: 'sent', reason: null, messageId });
    } catch (error) {
      // The row stays "sending": the job's next attempt, or wave:reconcile, marks it interrupted.
      throw new Error(`E-mail ${mailingId} was handed to the mail server, but the database was unreachable when the result was recorded `
        + `(${(error as Error).message}); it will be marked interrupted for a person to check`);
    }
    return 'sent';
  }

  /** Rows left "sending" by a worker that died: older than any live send could be. */
  staleClaimSeconds(): number {
    return 2 * this.config.MAIL_SEND_TIMEOUT_SECONDS;
  }

  private async notClaimed(mailingId: string, claimant: string): Promise<EmailOutcome> {
    const [row] = await this.dataSource.query(
      `SELECT m.status, m.step, m.survey_id, m.claimed_by, extract(epoch FROM now() - m.claimed_at) AS claimed_seconds_ago
       FROM mailings m WHERE m.id = $1 AND m.channel = 'email'`, [mailingId]);
    if (!row) throw new UnrecoverableError(`E-mail ledger row ${mailingId} does not exist`);
    if (['sent', 'suppressed', 'failed'].includes(row.status)) return 'already-done';
    if (row.status === 'sending') {
      // BullMQ runs a job again only once its earlier run has lost its lock (the worker died):
      // meeting our own job's claim means that run stopped somewhere in the send.
      const ownEarlierRun = row.claimed_by === claimant;
      if (!ownEarlierRun && Number(row.claimed_seconds_ago) < this.staleClaimSeconds()) {
        throw new Error(`E-mail ${mailingId} is being sent by another worker`); // retried later
      }
      const [{ marked }] = await this.dataSource.query(
        `WITH u AS (UPDATE mailings SET status = 'failed', interrupted = true, completed_at = now(), error = $2
                    WHERE id = $1 AND status = 'sending' AND claimed_by = $3 RETURNING 1)
         SELECT count(*)::int AS marked FROM u`,
        [mailingId, INTERRUPTED, row.claimed_by]);
      return marked ? 'interrupted' : 'already-done';
    }
    const survey = (await this.surveys.getById(row.survey_id))!;
    if (!(await this.gate.open(survey, row.step))) return 'paused';
    throw new Error(`E-mail ${mailingId} could not be claimed; trying again`); // resumed meanwhile
  }

  /** Claims rows pending → sending for their callers; a row not claimed answers undefined. */
  private async claimMany(wanted: ClaimRequest[]): Promise<(ClaimedEmail | undefined)[]> {
    const claimed: ClaimedEmail[] = await this.dataSource.query(
      // Rows looked up by primary key (`= ANY`): joined to a set instead, the planner may walk every
      // pending row of the step when the table's statistics are young.
      `WITH claimed AS (
         UPDATE mailings m SET status = 'sending', claimed_at = now(), attempts = m.attempts + 1,
                claimed_by = ($2::text[])[array_position($1::bigint[], m.id)],
                message_id = '<mailing-' || m.id || '@' || $3::text || '>'
         FROM mailing_steps ms, surveys s
         WHERE m.id = ANY($1::bigint[]) AND m.channel = 'email' AND m.status = 'pending'
           AND ms.survey_id = m.survey_id AND ms.step = m.step AND ms.paused_at IS NULL
           AND s.id = m.survey_id AND ${freshDeceasedCheckSql('s')}
         RETURNING m.id, m.patient_id, m.survey_id, m.step)
       SELECT c.id::text AS "mailingId", c.survey_id AS "surveyId", c.step, p.email, ${PACK_PATIENT_COLUMNS},
              ${emailSuppressionReasonSql('p')} AS reason
       FROM claimed c JOIN patients p ON p.id = c.patient_id JOIN trusts t ON t.code = p.trust_code`,
      [wanted.map((w) => w.mailingId), wanted.map((w) => w.claimant), mailDomain(this.config.MAIL_FROM)]);
    const byId = new Map(claimed.map((c) => [c.mailingId, c]));
    return wanted.map((w) => byId.get(w.mailingId));
  }

  /** Records how claimed rows ended: sent (with the Message-ID) or suppressed (with the reason). */
  private async finishMany(rows: Finish[]): Promise<void[]> {
    await this.dataSource.query(
      `WITH f AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS f(id, status, reason, message_id))
       UPDATE mailings m SET status = f.status, suppression_reason = f.reason, message_id = f.message_id,
              error = CASE WHEN f.status = 'sent' THEN NULL ELSE m.error END, completed_at = now()
       FROM f WHERE m.id = ANY($1::bigint[]) AND m.id = f.id AND m.status = 'sending'`,
      [rows.map((r) => r.mailingId), rows.map((r) => r.status), rows.map((r) => r.reason), rows.map((r) => r.messageId)]);
    return rows.map(() => undefined);
  }

  /** The letter's wording of the survey, helpline and online address, so post and e-mail agree. */
  private async render(row: ClaimedEmail): Promise<RenderedEmail> {
    let settings = this.surveySettings.get(row.surveyId);
    if (!settings) {
      settings = this.packs.rendererFor((await this.surveys.getById(row.surveyId))!).settings;
      this.surveySettings.set(row.surveyId, settings);
    }
    return renderEmail(this.template(row.step), {
      ...settings,
      salutation: salutation(row),
      trustName: row.trustName,
      onlineLink: `${settings.onlineUrl}/${row.accessCode}`,
      optOutLink: `${settings.onlineUrl}/${row.accessCode}/opt-out`,
      accessCode: row.accessCode,
      reference: row.reference,
    });
  }

  private template(step: MailingStep): EmailTemplate {
    let t = this.templates.get(step);
    if (!t) {
      t = loadEmailTemplate(step);
      this.templates.set(step, t);
    }
    return t;
  }

  /** Every step's template, checked at start-up so a broken one stops the process, not a wave. */
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
