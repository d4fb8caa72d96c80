import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { UnrecoverableError } from 'bullmq';
import { NotifyClient } from 'notifications-node-client';
import { DataSource } from 'typeorm';
import { AppConfig, smsEnabled } from '../infra/config/app-config';
import type { JobPayloads } from '../infra/queues/job-catalogue';
import { JobContext, JobHandler } from '../infra/queues/job-handler.decorator';
import { MailingPlanStep, mailingPlanOf } from '../surveys/mailing-plan';
import { parseSurveySettings } from '../surveys/survey-settings';
import { SurveysService } from '../surveys/surveys.service';
import { ClaimedRow, DIRECT_RUN, JobRun, LedgerClaims, SendOutcome } from './ledger-claims';
import { StepGate } from './step-gate';
import { suppressionReasonSql } from './suppression';
import { mobileUnusableSql } from './wave-planning';

interface ClaimedText extends ClaimedRow {
  mobile: string;
  accessCode: string;
}

/** Longest wait for Notify's answer; a claim older than twice this belongs to a worker that died. */
export const NOTIFY_TIMEOUT_SECONDS = 30;

const CHECK_NOTIFY = 'Look the text up in GOV.UK Notify by its reference (the ledger id); retry it by survey reference '
  + '(--ref with --channel sms --not-delivered) only once Notify shows it was not sent.';

export const SMS_INTERRUPTED = 'Interrupted while sending: the worker stopped, or the database was unreachable when the result was recorded, '
  + `so the text may or may not have reached Notify. ${CHECK_NOTIFY}`;

export const SMS_CONNECTION_LOST = 'Interrupted while sending: the request to Notify went unanswered (timed out or the connection broke off after it was sent), '
  + `so the text may or may not have been accepted. ${CHECK_NOTIFY}`;

/** Error codes meaning the request never reached Notify: safe to send again. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_INVALID_URL']);

interface NotifyError { response?: { status: number; data?: { errors?: { error: string; message: string }[] } }; code?: string; message: string }

/**
 * Sends the text of one ledger row through GOV.UK Notify with the same claim-once,
 * suppression-at-send and interrupted-send rules as e-mail (ledger-claims.ts). The reference
 * sent with each text is its ledger id, so Notify's records and delivery receipts name the row.
 * A number Notify reported permanently failing is not texted again (`unusable_number`).
 */
@Injectable()
export class SmsMailingsService {
  private readonly ledger: LedgerClaims<ClaimedText>;
  private readonly surveyFacts = new Map<string, { helpline: string; plan: MailingPlanStep[] }>();
  private notify?: NotifyClient;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly surveys: SurveysService,
    gate: StepGate,
  ) {
    this.ledger = new LedgerClaims<ClaimedText>(dataSource, surveys, gate, {
      channel: 'sms',
      noun: 'Text',
      columns: `p.mobile, p.access_code AS "accessCode"`,
      reasonSql: (p) => `coalesce(${suppressionReasonSql(p)}, CASE WHEN ${mobileUnusableSql(p)} THEN 'unusable_number' END)`,
      // Notify knows a text by the reference we send: the ledger id.
      messageIdSql: `m.id::text || $3::text`,
      messageIdParam: '',
      interrupted: SMS_INTERRUPTED,
      staleClaimSeconds: () => this.staleClaimSeconds(),
    });
  }

  @JobHandler('mailings.send-sms')
  async sendJob(payload: JobPayloads['mailings.send-sms'], job: JobContext): Promise<{ outcome: SendOutcome }> {
    return { outcome: await this.send(payload.mailingId, job) };
  }

  send(mailingId: string, job: JobRun = DIRECT_RUN): Promise<SendOutcome> {
    return this.ledger.run(mailingId, job, (row) => this.deliver(row, job));
  }

  staleClaimSeconds(): number {
    return 2 * NOTIFY_TIMEOUT_SECONDS;
  }

  private async deliver(row: ClaimedText, job: JobRun): Promise<{ providerId: string | null }> {
    let templateId: string | undefined;
    let helpline: string;
    try {
      const facts = await this.facts(row.surveyId);
      helpline = facts.helpline;
      templateId = facts.plan.find((s) => s.name === row.step)?.channels.sms?.templateId ?? this.config.NOTIFY_SMS_TEMPLATE_ID;
    } catch (error) {
      await this.settle(row.mailingId, job, (error as Error).message, false);
      throw error;
    }
    const client = this.client();
    if (!client || !templateId) {
      const message = 'SMS is off in this worker: set NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID, then retry the failed texts';
      await this.settle(row.mailingId, job, message, false);
      throw new Error(message);
    }
    try {
      const response = await client.sendSms(templateId, row.mobile, {
        reference: row.mailingId,
        personalisation: { link: `${this.config.PUBLIC_BASE_URL}/s/${row.accessCode}`, access_code: row.accessCode, helpline },
      });
      return { providerId: (response.data as { id?: string } | undefined)?.id ?? null };
    } catch (error) {
      const e = error as NotifyError;
      const status = e.response?.status;
      const detail = e.response?.data?.errors?.map((x) => `${x.error}: ${x.message}`).join('; ');
      const message = status ? `Notify answered ${status}${detail ? ` (${detail})` : ''}` : e.message;
      if (!status && !NOT_SENT.has(e.code ?? '')) {
        // No answer, but the request may have arrived: never risk a second text.
        await this.ledger.interrupted(row.mailingId, `${SMS_CONNECTION_LOST} (${message})`);
        throw new UnrecoverableError(`${SMS_CONNECTION_LOST} (${message})`);
      }
      // 400: Notify refused this text (a bad number, a template's missing field): sending again cannot help.
      await this.settle(row.mailingId, job, message, status === 400);
      throw status === 400 ? new UnrecoverableError(message) : new Error(message);
    }
  }

  /** A text not sent: failed for good, failed on the last attempt, or given back for the retry. */
  private async settle(mailingId: string, job: JobRun, message: string, permanent: boolean): Promise<void> {
    if (permanent || job.attempt >= job.maxAttempts) await this.ledger.failed(mailingId, message);
    else await this.ledger.release(mailingId, message);
  }

  private async facts(surveyId: string): Promise<{ helpline: string; plan: MailingPlanStep[] }> {
    let facts = this.surveyFacts.get(surveyId);
    if (!facts) {
      const settings = parseSurveySettings((await this.surveys.getById(surveyId))!.settings);
      facts = { helpline: settings.helplinePhone, plan: mailingPlanOf(settings) };
      this.surveyFacts.set(surveyId, facts);
    }
    return facts;
  }

  /** Built on first use, pointed at NOTIFY_BASE_URL, with a timeout: axios waits for ever by default. */
  private client(): NotifyClient | undefined {
    if (!smsEnabled(this.config)) return undefined;
    if (!this.notify) {
      this.notify = new NotifyClient(this.config.NOTIFY_BASE_URL, this.config.NOTIFY_API_KEY!);
      const api = (this.notify as unknown as { apiClient: { restClient: (o: object) => Promise<unknown> } }).apiClient;
      const rest = api.restClient;
      api.restClient = (options: object) => rest({ ...options, timeout: NOTIFY_TIMEOUT_SECONDS * 1000 });
    }
    return this.notify;
  }
}
