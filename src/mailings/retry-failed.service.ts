import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../infra/config/app-config';
import { DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { MailingStep } from '../questionnaires/letter-template';
import { parseReference } from '../samples/survey-reference';
import type { Survey } from '../surveys/survey.entity';
import { mailingPlanOf, planStep } from '../surveys/mailing-plan';
import { parseSurveySettings } from '../surveys/survey-settings';
import { SurveysService } from '../surveys/surveys.service';
import { emailMessageId } from './email-mailings.service';
import { ReconcilerService, ReconcileSummary } from './reconciler.service';
import { Channel, requireLaunched } from './waves.service';

export interface RetryOptions {
  /** Retry these patients' failed e-mails of the step only. */
  references?: string[];
  /** The coordinator has checked the mail log: the interrupted ones named were not delivered. */
  notDelivered?: boolean;
  /** Which of the named patients' messages: their e-mails (the default) or their texts. */
  channel?: 'email' | 'sms';
}

export interface RetrySummary extends ReconcileSummary {
  reset: Record<Channel, number>;
  /** Interrupted e-mails of the step still waiting for a person (listed by wave:status). */
  interruptedLeft: number;
  /** The interrupted e-mails this retry sends again, on the coordinator's confirmation. */
  confirmedNotDelivered: { reference: string; messageId: string }[];
}

/** Retrying a step's failed mailings by hand, after the cause is fixed (`wave:retry-failed`). */
@Injectable()
export class RetryFailedService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly reconciler: ReconcilerService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Failed rows back to pending and their jobs running again: "retry by hand" after a fix.
   * Without references, only failures known not to have reached the mail server; interrupted
   * e-mails go again only when named, with the coordinator's word that the log shows them
   * not delivered.
   */
  async retryFailed(surveyCode: string, stepName: string, options: RetryOptions = {}): Promise<RetrySummary> {
    const survey = await this.surveys.get(surveyCode);
    const step = planStep(mailingPlanOf(parseSurveySettings(survey.settings)), stepName).name;
    await requireLaunched(this.dataSource, survey, step);
    const named = options.references?.length ? options.references : undefined;
    const { rows, confirmed } = named
      ? await this.dataSource.transaction((m) => this.resetNamed(m, survey, step, named, options.notDelivered === true, options.channel ?? 'email'))
      : {
        rows: await this.dataSource.query(
          `WITH reset AS (
             UPDATE mailings SET status = 'pending', claimed_at = NULL, claimed_by = NULL, completed_at = NULL
             WHERE survey_id = $1 AND step = $2 AND status = 'failed' AND NOT interrupted RETURNING channel)
           SELECT channel, count(*)::int AS n FROM reset GROUP BY channel`, [survey.id, step]) as { channel: Channel; n: number }[],
        confirmed: [],
      };
    const reconciled = await this.reconciler.reconcile(survey.code, step);
    const [{ left }] = await this.dataSource.query(
      'SELECT count(*)::int AS left FROM mailings WHERE survey_id = $1 AND step = $2 AND interrupted', [survey.id, step]);
    return {
      reset: { postal: 0, email: 0, sms: 0, ...Object.fromEntries(rows.map((r) => [r.channel, r.n])) },
      interruptedLeft: left, confirmedNotDelivered: confirmed, ...reconciled,
    };
  }

  /** The named patients' failed e-mails (or texts) back to pending, all or none; interrupted ones only when confirmed. */
  private async resetNamed(m: EntityManager, survey: Survey, step: MailingStep, references: string[], notDelivered: boolean, channel: 'email' | 'sms') {
    const noun = channel === 'sms' ? 'text' : 'e-mail';
    const parsed = references.map((raw) => parseReference(raw ?? ''));
    const wanted = parsed.flatMap((p) => (p.ok ? [p.reference] : []));
    const patients: { id: string; reference: string }[] = await m.query(
      'SELECT id::text AS id, survey_reference AS reference FROM patients WHERE survey_id = $1 AND survey_reference = ANY($2::text[])',
      [survey.id, wanted]);
    type EmailRow = { patient_id: string; id: string; status: string; interrupted: boolean; message_id: string | null };
    const emails: EmailRow[] = await m.query(
      `SELECT patient_id::text, id::text AS id, status, interrupted, message_id FROM mailings
       WHERE patient_id = ANY($1::bigint[]) AND step = $2 AND channel = $3 FOR UPDATE`, [patients.map((p) => p.id), step, channel]);
    const byPatient = new Map(emails.map((e) => [e.patient_id, e]));
    const byReference = new Map(patients.map((p) => [p.reference, { reference: p.reference, email: byPatient.get(p.id) }]));
    // Problems name the position, not the value given (which may not be a reference at all).
    const problems: ErrorDetail[] = [];
    const rows = parsed.map((p, i) => {
      const where = `reference ${i + 1}`;
      if (!p.ok) {
        problems.push({ where, message: p.problem === 'check_digit'
          ? 'This is not a valid survey reference: the check digit does not match. Check the reference and give it again'
          : 'This is not a survey reference: give one such as RXX-004821-7' });
        return undefined;
      }
      const patient = byReference.get(p.reference);
      if (!patient) problems.push({ where, message: 'No patient of this survey has this reference: check the reference' });
      else if (!patient.email) problems.push({ where, message: `This patient has no ${noun} in this step: leave the reference out` });
      else if (patient.email.status !== 'failed') problems.push({ where, message: `This patient's ${noun} is ${patient.email.status}, not failed: leave the reference out` });
      else return { ...patient.email, reference: patient.reference };
      return undefined;
    });
    if (problems.length) {
      throw new DomainError(parsed.some((p) => !p.ok) ? 'validation_failed' : 'invalid_state',
        `${problems.length} of the references given cannot be retried; nothing was retried`, problems);
    }
    const named = [...new Map(rows.map((r) => [r!.id, r!])).values()];
    const unconfirmed = notDelivered ? [] : rows.flatMap((r, i) => (r!.interrupted
      ? [{ where: `reference ${i + 1}`, message: channel === 'sms'
        ? 'This text was interrupted: look it up in GOV.UK Notify by its reference (the ledger id), then confirm it was not sent'
        : "This e-mail was interrupted: check the mail server's log, then confirm it was not delivered" }] : []));
    if (unconfirmed.length && channel === 'sms') {
      throw new DomainError('invalid_state',
        `${unconfirmed.length} of the texts named ${unconfirmed.length > 1 ? 'were' : 'was'} interrupted and may have reached GOV.UK Notify; nothing was retried. `
        + 'Look each up in Notify by its reference (the ledger id); for those not sent, run the retry again with --not-delivered (notDelivered: true over HTTP).', unconfirmed);
    }
    if (unconfirmed.length) {
      throw new DomainError('invalid_state',
        `${unconfirmed.length} of the e-mails named ${unconfirmed.length > 1 ? 'were' : 'was'} interrupted and may have reached the mail server; nothing was retried. `
        + "Look up each Message-ID (wave:status lists them) in the mail server's log; for those not delivered, run the retry again "
        + 'with --not-delivered (notDelivered: true over HTTP).', unconfirmed);
    }
    const reset: { channel: Channel; n: number }[] = await m.query(
      `WITH reset AS (
         UPDATE mailings SET status = 'pending', interrupted = false, claimed_at = NULL, claimed_by = NULL, completed_at = NULL
         WHERE id = ANY($1::bigint[]) AND status = 'failed' RETURNING channel)
       SELECT channel, count(*)::int AS n FROM reset GROUP BY channel`, [named.map((r) => r.id)]);
    const confirmed = named.filter((r) => r.interrupted)
      .map((r) => ({ reference: r.reference, messageId: r.message_id ?? (channel === 'sms' ? r.id : emailMessageId(r.id, this.config.MAIL_FROM)) }));
    return { rows: reset, confirmed };
  }
}
