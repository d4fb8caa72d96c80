import { UnrecoverableError } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CoalescedStatement } from '../infra/database/coalesced-statement';
import type { SlotTurn } from '../infra/mail/send-slots';
import type { JobContext } from '../infra/queues/job-handler.decorator';
import type { SurveysService } from '../surveys/surveys.service';
import { freshDeceasedCheckSql } from './deceased-check-freshness';
import type { StepGate } from './step-gate';
import type { SuppressionReason } from './suppression';

export type SendOutcome = 'sent' | 'suppressed' | 'already-done' | 'paused' | 'interrupted';
export type JobRun = Pick<JobContext, 'jobId' | 'attempt' | 'maxAttempts'>;
export const DIRECT_RUN: JobRun = { jobId: undefined, attempt: 1, maxAttempts: 1 };

interface ClaimRequest { mailingId: string; claimant: string }
interface Finish { mailingId: string; status: 'sent' | 'suppressed'; reason: SuppressionReason | null; providerId: string | null }
/** One change to the ledger: a claim, a row's end, or both (a slot's next row and its previous). */
interface LedgerStep { claim?: ClaimRequest; finish?: Finish }

/** A row's end passed with its send slot to the next claim, to be recorded in the same statement. */
export interface PassedFinish { finish: Finish; recorded: (error?: unknown) => void }

/** What every claimed message row carries; each channel adds the columns it sends with. */
export interface ClaimedRow { mailingId: string; surveyId: string; step: string; reason: SuppressionReason | null }

export interface LedgerChannel {
  channel: 'email' | 'sms';
  /** "E-mail", "Text": starts the sentences about a row. */
  noun: string;
  /** Patient columns (patients `p`, trusts `t`) the send needs. */
  columns: string;
  /** Why the patient `p` must not get this message now, or NULL. */
  reasonSql: (p: string) => string;
  /** The message id recorded at the claim (ledger row `m`), from `$3`. */
  messageIdSql: string;
  messageIdParam: string;
  /** Recorded on a row whose send may or may not have happened. */
  interrupted: string;
  /** Rows claimed longer ago than this are taken to belong to a worker that died. */
  staleClaimSeconds: () => number;
}

/**
 * The claim-once rules every sent message follows, for e-mail and SMS alike. A row is claimed
 * (pending → sending) in the statement that checks the step is running, the deceased check is
 * fresh, and reads why the patient might now be suppressed; only the claimer sends, so a job
 * run twice sends once. A send whose end is unknown is failed and flagged interrupted for a
 * person to check with the provider, rather than risk a second message.
 */
export class LedgerClaims<Row extends ClaimedRow> {
  // Concurrent jobs share statements that record the rows that ended and claim the next; a row
  // is in one statement in flight at a time. Two may be in flight, so no claim queues behind a
  // slow round trip.
  private readonly steps = new CoalescedStatement(
    (s: LedgerStep[]) => this.apply(s),
    (s) => [s.claim?.mailingId, s.finish?.mailingId].filter((id): id is string => !!id),
    500, 2,
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly gate: StepGate,
    private readonly spec: LedgerChannel,
  ) {}

  /**
   * Claims the row and hands it to `send` unless the patient is now suppressed; `send` answers
   * how it went, recorded here. A claimed row that `send` throws on stays "sending" for the
   * caller's own catch to settle (fail, release or interrupted).
   *
   * With a send slot (`turn`, e-mail), the row's end is passed with the slot to the next caller
   * waiting for it, whose claim records it in the same statement: one round trip instead of
   * two, and one commit, so the slot's next row is never "sending" before this one is recorded
   * (no more rows "sending" than slots, even across a crash).
   */
  async run(
    mailingId: string, job: JobRun, send: (row: Row) => Promise<{ providerId: string | null }>, turn?: SlotTurn<PassedFinish>,
  ): Promise<SendOutcome> {
    const carried = turn?.carried;
    // Checked here, not by the shared statement: one malformed id must not fail its neighbours.
    if (!/^\d{1,18}$/.test(mailingId)) {
      if (carried) this.record(carried);
      throw new UnrecoverableError(`"${mailingId}" is not a ${this.spec.channel} ledger row id`);
    }
    const claimant = job.jobId ?? `direct-${randomUUID()}`;
    const claiming = this.steps.call({ claim: { mailingId, claimant }, finish: carried?.finish });
    if (carried) claiming.then(() => carried.recorded(), (error) => carried.recorded(error ?? new Error('not recorded')));
    const claimed = await claiming;
    if (!claimed) return this.notClaimed(mailingId, claimant);
    if (claimed.reason) {
      await this.end({ mailingId, status: 'suppressed', reason: claimed.reason, providerId: null }, turn);
      return 'suppressed';
    }
    const { providerId } = await send(claimed);
    try {
      await this.end({ mailingId, status: 'sent', reason: null, providerId }, turn);
    } catch (error) {
      // The row stays "sending": the job's next attempt, or wave:reconcile, marks it interrupted.
      throw new Error(`${this.spec.noun} ${mailingId} was handed over for delivery, but the database was unreachable when the result was recorded `
        + `(${(error as Error).message}); it will be marked interrupted for a person to check`);
    }
    return 'sent';
  }

  /** Records a claimed row's end: with the next claim of its slot when one is waiting, else alone. */
  private end(finish: Finish, turn?: SlotTurn<PassedFinish>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const passed: PassedFinish = { finish, recorded: (error) => (error ? reject(error) : resolve()) };
      if (!turn?.handOver(passed)) this.record(passed);
    });
  }

  private record(passed: PassedFinish): void {
    this.steps.call({ finish: passed.finish }).then(() => passed.recorded(), (error) => passed.recorded(error ?? new Error('not recorded')));
  }

  /** The send may have happened: failed and flagged, never sent again without a person checking. */
  async interrupted(mailingId: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE mailings SET status = 'failed', interrupted = true, error = $2, completed_at = now() WHERE id = $1 AND status = 'sending'`, [mailingId, error]);
  }

  async failed(mailingId: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE mailings SET status = 'failed', error = $2, completed_at = now() WHERE id = $1 AND status = 'sending'`, [mailingId, error]);
  }

  /** Not sent: give the row back so the retry can claim it. */
  async release(mailingId: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE mailings SET status = 'pending', claimed_at = NULL, claimed_by = NULL, error = $2 WHERE id = $1 AND status = 'sending'`, [mailingId, error]);
  }

  private async notClaimed(mailingId: string, claimant: string): Promise<SendOutcome> {
    const [row] = await this.dataSource.query(
      `SELECT m.status, m.step, m.survey_id, m.claimed_by, extract(epoch FROM now() - m.claimed_at) AS claimed_seconds_ago
       FROM mailings m WHERE m.id = $1 AND m.channel = $2`, [mailingId, this.spec.channel]);
    if (!row) throw new UnrecoverableError(`${this.spec.noun} ledger row ${mailingId} does not exist`);
    if (['sent', 'suppressed', 'failed'].includes(row.status)) return 'already-done';
    if (row.status === 'sending') {
      // BullMQ runs a job again only once its earlier run has lost its lock (the worker died):
      // meeting our own job's claim means that run stopped somewhere in the send.
      const ownEarlierRun = row.claimed_by === claimant;
      if (!ownEarlierRun && Number(row.claimed_seconds_ago) < this.spec.staleClaimSeconds()) {
        throw new Error(`${this.spec.noun} ${mailingId} is being sent by another worker`); // retried later
      }
      const [{ marked }] = await this.dataSource.query(
        `WITH u AS (UPDATE mailings SET status = 'failed', interrupted = true, completed_at = now(), error = $2
                    WHERE id = $1 AND status = 'sending' AND claimed_by = $3 RETURNING 1)
         SELECT count(*)::int AS marked FROM u`,
        [mailingId, this.spec.interrupted, row.claimed_by]);
      return marked ? 'interrupted' : 'already-done';
    }
    const survey = (await this.surveys.getById(row.survey_id))!;
    if (!(await this.gate.open(survey, row.step))) return 'paused';
    throw new Error(`${this.spec.noun} ${mailingId} could not be claimed; trying again`); // resumed meanwhile
  }

  /**
   * Records how claimed rows ended (sent, with the provider's id if any, or suppressed with the
   * reason) and claims rows pending → sending, in one statement: one round trip and one commit.
   * A claimed row answers with its columns; a row not claimed, and a lone finish, with undefined.
   */
  private async apply(steps: LedgerStep[]): Promise<(Row | undefined)[]> {
    const wanted = steps.flatMap((s) => (s.claim ? [s.claim] : []));
    const ended = steps.flatMap((s) => (s.finish ? [s.finish] : []));
    const claimed: Row[] = await this.dataSource.query(
      // Rows looked up by primary key (`= ANY`): joined to a set instead, the planner may walk every
      // pending row of the step when the table's statistics are young.
      `WITH f AS (SELECT * FROM unnest($4::bigint[], $5::text[], $6::text[], $7::text[]) AS f(id, status, reason, provider_id)),
       finished AS (
         UPDATE mailings m SET status = f.status, suppression_reason = f.reason,
                message_id = CASE WHEN f.status = 'sent' THEN m.message_id END, provider_id = f.provider_id,
                error = CASE WHEN f.status = 'sent' THEN NULL ELSE m.error END, completed_at = now()
         FROM f WHERE m.id = ANY($4::bigint[]) AND m.id = f.id AND m.status = 'sending'),
       claimed AS (
         UPDATE mailings m SET status = 'sending', claimed_at = now(), attempts = m.attempts + 1,
                claimed_by = ($2::text[])[array_position($1::bigint[], m.id)],
                message_id = ${this.spec.messageIdSql}
         FROM mailing_steps ms, surveys s
         WHERE m.id = ANY($1::bigint[]) AND m.channel = '${this.spec.channel}' AND m.status = 'pending'
           AND ms.survey_id = m.survey_id AND ms.step = m.step AND ms.paused_at IS NULL
           AND s.id = m.survey_id AND ${freshDeceasedCheckSql('s')}
         RETURNING m.id, m.patient_id, m.survey_id, m.step)
       SELECT c.id::text AS "mailingId", c.survey_id AS "surveyId", c.step, ${this.spec.columns},
              ${this.spec.reasonSql('p')} AS reason
       FROM claimed c JOIN patients p ON p.id = c.patient_id JOIN trusts t ON t.code = p.trust_code`,
      [wanted.map((w) => w.mailingId), wanted.map((w) => w.claimant), this.spec.messageIdParam,
        ended.map((r) => r.mailingId), ended.map((r) => r.status), ended.map((r) => r.reason), ended.map((r) => r.providerId)]);
    const byId = new Map(claimed.map((c) => [c.mailingId, c]));
    return steps.map((s) => (s.claim ? byId.get(s.claim.mailingId) : undefined));
  }
}
