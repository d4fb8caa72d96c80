import { UnrecoverableError } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { CoalescedStatement } from '../infra/database/coalesced-statement';
import { PreparedStatement } from '../infra/database/prepared-statement';
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
  // Concurrent jobs share these statements; a row is in at most one of each at a time.
  private readonly claims = new CoalescedStatement((w: ClaimRequest[]) => this.claimMany(w), (w) => w.mailingId);
  private readonly finished = new CoalescedStatement((f: Finish[]) => this.finishMany(f), (f) => f.mailingId);

  private readonly claimStatement: PreparedStatement<Row>;
  private readonly finishStatement: PreparedStatement<never>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly gate: StepGate,
    private readonly spec: LedgerChannel,
  ) {
    this.claimStatement = new PreparedStatement(dataSource, `ledger-claim-${spec.channel}`, claimSql(spec));
    this.finishStatement = new PreparedStatement(dataSource, 'ledger-finish', FINISH_SQL);
  }

  /**
   * Claims the row and hands it to `send` unless the patient is now suppressed; `send` answers
   * how it went, recorded here. A claimed row that `send` throws on stays "sending" for the
   * caller's own catch to settle (fail, release or interrupted).
   */
  async run(mailingId: string, job: JobRun, send: (row: Row) => Promise<{ providerId: string | null }>): Promise<SendOutcome> {
    // Checked here, not by the shared statement: one malformed id must not fail its neighbours.
    if (!/^\d{1,18}$/.test(mailingId)) throw new UnrecoverableError(`"${mailingId}" is not a ${this.spec.channel} ledger row id`);
    const claimant = job.jobId ?? `direct-${randomUUID()}`;
    const claimed = await this.claims.call({ mailingId, claimant });
    if (!claimed) return this.notClaimed(mailingId, claimant);
    if (claimed.reason) {
      await this.finished.call({ mailingId, status: 'suppressed', reason: claimed.reason, providerId: null });
      return 'suppressed';
    }
    const { providerId } = await send(claimed);
    try {
      await this.finished.call({ mailingId, status: 'sent', reason: null, providerId });
    } catch (error) {
      // The row stays "sending": the job's next attempt, or wave:reconcile, marks it interrupted.
      throw new Error(`${this.spec.noun} ${mailingId} was handed over for delivery, but the database was unreachable when the result was recorded `
        + `(${(error as Error).message}); it will be marked interrupted for a person to check`);
    }
    return 'sent';
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

  /** Claims rows pending → sending for their callers; a row not claimed answers undefined. */
  private async claimMany(wanted: ClaimRequest[]): Promise<(Row | undefined)[]> {
    const claimed = await this.claimStatement.rows([wanted.map((w) => w.mailingId), wanted.map((w) => w.claimant), this.spec.messageIdParam]);
    const byId = new Map(claimed.map((c) => [c.mailingId, c]));
    return wanted.map((w) => byId.get(w.mailingId));
  }

  /** Records how claimed rows ended: sent (with the provider's id, if any) or suppressed (with the reason). */
  private async finishMany(rows: Finish[]): Promise<void[]> {
    await this.finishStatement.rows(
      [rows.map((r) => r.mailingId), rows.map((r) => r.status), rows.map((r) => r.reason), rows.map((r) => r.providerId)]);
    return rows.map(() => undefined);
  }
}

/**
 * Claims the rows `$1` (ids) for `$2` (claimants, in the same order) and reads what the send
 * needs. Rows are looked up by primary key (`= ANY`): joined to a set instead, the planner may
 * walk every pending row of the step when the table's statistics are young.
 */
const claimSql = (spec: LedgerChannel) => `
  WITH claimed AS (
    UPDATE mailings m SET status = 'sending', claimed_at = now(), attempts = m.attempts + 1,
           claimed_by = ($2::text[])[array_position($1::bigint[], m.id)],
           message_id = ${spec.messageIdSql}
    FROM mailing_steps ms, surveys s
    WHERE m.id = ANY($1::bigint[]) AND m.channel = '${spec.channel}' AND m.status = 'pending'
      AND ms.survey_id = m.survey_id AND ms.step = m.step AND ms.paused_at IS NULL
      AND s.id = m.survey_id AND ${freshDeceasedCheckSql('s')}
    RETURNING m.id, m.patient_id, m.survey_id, m.step)
  SELECT c.id::text AS "mailingId", c.survey_id AS "surveyId", c.step, ${spec.columns},
         ${spec.reasonSql('p')} AS reason
  FROM claimed c JOIN patients p ON p.id = c.patient_id JOIN trusts t ON t.code = p.trust_code`;

/**
 * Records rows `$1` as `$2` (sent or suppressed) with `$3` the reason, `$4` the provider's id.
 * Each row's values are picked from the arrays by its position, as the claim does: joined to
 * their unnest instead, the kept (generic) plan expected one row and read the arrays again for
 * every row, slower with the square of the batch.
 */
const AT = 'array_position($1::bigint[], m.id)';
const FINISH_SQL = `
  UPDATE mailings m SET status = ($2::text[])[${AT}], suppression_reason = ($3::text[])[${AT}],
         message_id = CASE WHEN ($2::text[])[${AT}] = 'sent' THEN m.message_id END, provider_id = ($4::text[])[${AT}],
         error = CASE WHEN ($2::text[])[${AT}] = 'sent' THEN NULL ELSE m.error END, completed_at = now()
  WHERE m.id = ANY($1::bigint[]) AND m.status = 'sending'`;
