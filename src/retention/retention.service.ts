import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { assertGroupsDerived } from '../areas/derive-groups';
import { AppConfig } from '../infra/config/app-config';
import { asOwner, isPermissionDenied } from '../infra/database/owner-connection';
import { DomainError } from '../infra/errors/domain-error';
import { FileStore } from '../infra/storage/file-store';
import { ScratchSpace } from '../infra/storage/scratch-space';
import { lockForFinalSuppressionCheck } from '../mailings/suppression';
import { freeTextQuestions, redactStoredComments } from '../results/comments/comment-answers';
import { surveyQuestionsOf } from '../results/survey-questions';
import { parseSurveySettings } from '../surveys/survey-settings';
import { SurveysService } from '../surveys/surveys.service';
import { longDate } from '../infra/dates';

export interface CloseSummary { survey: string; closedAt: string; stepsPaused: number; onePacksWithdrawn: number; purgeFrom: string }
export interface PurgeSummary {
  survey: string; purgedAt: string; patients: number; deathsRemoved: number; eventsCleared: number; filesDeleted: number;
  /** Responses whose free-text answers were replaced by their redacted text. */
  commentsRedacted: number;
  /** Tables rewritten so that no old row version keeps a purged value; whether the write-ahead log was moved past them. */
  rewritten: { tables: string[]; checkpoint: boolean };
}

/**
 * What the purge changes. An UPDATE or DELETE leaves the old row versions in the table's
 * files (and the full-page images of the write-ahead log) until they are rewritten.
 */
const PURGED_TABLES = ['patients', 'patient_events', 'response_drafts', 'survey_deaths', 'mailings', 'responses', 'sample_file_exclusions'];

const DAY_MS = 86_400_000;
/** How long the purge waits for transactions that began before it to end before rewriting the tables. */
const OLDER_TRANSACTIONS_WAIT_MS = 120_000;

/**
 * The end of fieldwork. Closing stops everything that reaches patients (mail steps paused,
 * no uploads, returns or online answers). Purging, once the survey's retention period has
 * passed, destroys what identifies anyone: names, addresses, dates of birth, NHS numbers,
 * e-mail and phone, access codes, the trusts' record numbers, the deceased list, free text in
 * the contact history, and every generated file. Outcome codes (kept as computed just before),
 * survey references, anonymous variables (age at discharge, sex, ethnicity, ICD-10, trust) and
 * the answers remain, so the reports give the same figures afterwards. Free-text answers remain
 * only as redacted (results/comments/redact.ts), rewritten before the identities they are
 * redacted against are destroyed.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly store: FileStore,
    private readonly scratch: ScratchSpace,
    private readonly config: AppConfig,
  ) {}

  async close(surveyCode: string, by: string): Promise<CloseSummary> {
    const survey = await this.surveys.get(surveyCode);
    if (survey.status === 'purged') throw new DomainError('invalid_state', `This survey was purged on ${survey.purgedAt ? longDate(survey.purgedAt) : 'an earlier day'}`);
    return this.dataSource.transaction(async (m) => {
      // Waits for returns, answers and calls being recorded now; later ones see the survey closed.
      await lockForFinalSuppressionCheck(m, survey.id);
      const [row] = await m.query(
        `WITH u AS (UPDATE surveys SET status = 'closed', closed_at = coalesce(closed_at, now()), updated_at = now() WHERE id = $1 RETURNING closed_at)
         SELECT closed_at FROM u`, [survey.id]);
      const [{ paused }] = await m.query(
        `WITH u AS (UPDATE mailing_steps SET paused_at = now(), paused_by = $2, pause_reason = 'The survey is closed'
                    WHERE survey_id = $1 AND paused_at IS NULL RETURNING 1) SELECT count(*)::int AS paused FROM u`, [survey.id, by]);
      const [{ withdrawn }] = await m.query(
        `WITH u AS (UPDATE one_off_packs SET status = 'suppressed', suppression_reason = 'survey_closed', completed_at = now()
                    WHERE survey_id = $1 AND status = 'pending' RETURNING 1) SELECT count(*)::int AS withdrawn FROM u`, [survey.id]);
      const retention = parseSurveySettings(survey.settings).retentionDaysAfterClose;
      return {
        survey: survey.code, closedAt: row.closed_at.toISOString(), stepsPaused: paused, onePacksWithdrawn: withdrawn,
        purgeFrom: new Date(row.closed_at.getTime() + retention * DAY_MS).toISOString(),
      };
    });
  }

  /** Purges a closed survey whose retention period has passed; a repeat finishes deleting files. */
  async purge(surveyCode: string, now = new Date()): Promise<PurgeSummary> {
    const survey = await this.surveys.get(surveyCode);
    if (!survey.closedAt || (survey.status !== 'closed' && survey.status !== 'purged')) {
      throw new DomainError('invalid_state', `This survey is not closed: close it first (survey:close), then purge after its retention period`);
    }
    const purgeFrom = new Date(survey.closedAt.getTime() + parseSurveySettings(survey.settings).retentionDaysAfterClose * DAY_MS);
    if (now < purgeFrom) {
      throw new DomainError('invalid_state',
        `This survey was closed on ${longDate(survey.closedAt)}; its data must be kept until ${longDate(purgeFrom)} (retentionDaysAfterClose). Purge from then.`);
    }
    if (survey.status !== 'purged') await assertGroupsDerived((sql, params) => this.dataSource.query(sql, params), survey.id);
    const textQuestions = freeTextQuestions(surveyQuestionsOf(parseSurveySettings(survey.settings)).definition).map((q) => q.id);
    const counts = await this.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL fieldwork.purging = 'on'`); // lets the history be scrubbed, nothing else
      // First, while the patients' names and addresses are still there to redact against.
      const comments = await redactStoredComments(m, survey.id, textQuestions);
      const [{ patients }] = await m.query(`
        WITH u AS (
          UPDATE patients p SET purged_at = now(), final_outcome = o.outcome,
            age_at_discharge = extract(year FROM age(p.discharge_date, p.date_of_birth))::int,
            nhs_number = NULL, title = NULL, first_name = NULL, surname = NULL, address = NULL, postcode = NULL,
            date_of_birth = NULL, email = NULL, mobile = NULL, access_code = NULL, patient_record_number = NULL,
            preferred_language = NULL
          FROM patient_outcomes o WHERE o.survey_id = $1 AND o.patient_id = p.id AND p.survey_id = $1 AND p.purged_at IS NULL RETURNING 1)
        SELECT count(*)::int AS patients FROM u`, [survey.id]);
      // A trust's record numbers of the rows it excluded identify patients too.
      await m.query('DELETE FROM sample_file_exclusions x USING sample_files f WHERE f.id = x.sample_file_id AND f.survey_id = $1', [survey.id]);
      // Unfinished online answers are not responses: they go with the rest.
      await m.query('DELETE FROM response_drafts d USING patients p WHERE p.id = d.patient_id AND p.survey_id = $1', [survey.id]);
      const [{ deaths }] = await m.query(
        'WITH d AS (DELETE FROM survey_deaths WHERE survey_id = $1 RETURNING 1) SELECT count(*)::int AS deaths FROM d', [survey.id]);
      const [{ events }] = await m.query(
        `WITH u AS (UPDATE patient_events SET details = '{}' WHERE survey_id = $1 AND details <> '{}' RETURNING 1) SELECT count(*)::int AS events FROM u`,
        [survey.id]);
      // Mail server refusals can quote an address.
      await m.query(`UPDATE mailings SET error = 'detail removed at the purge' WHERE survey_id = $1 AND error IS NOT NULL`, [survey.id]);
      await m.query(`UPDATE surveys SET status = 'purged', purged_at = coalesce(purged_at, now()), updated_at = now() WHERE id = $1`, [survey.id]);
      const [{ xid }] = await m.query('SELECT txid_current()::text AS xid');
      return { patients, deaths, events, comments, xid };
    });
    const filesDeleted = await this.deleteFiles(survey.id, survey.code, survey.closedAt);
    const rewritten = await this.rewritePurgedTables(counts.xid);
    const [{ purged_at }] = await this.dataSource.query('SELECT purged_at FROM surveys WHERE id = $1', [survey.id]);
    this.logger.log(`${survey.code} purged: ${counts.patients} patients, ${filesDeleted} files`);
    return {
      survey: survey.code, purgedAt: purged_at.toISOString(), patients: counts.patients, deathsRemoved: counts.deaths,
      eventsCleared: counts.events, commentsRedacted: counts.comments, filesDeleted, rewritten,
    };
  }

  /**
   * Rewrites the purged tables (VACUUM FULL, with fresh statistics: the old ones sampled the
   * purged columns) as the owner, then moves the write-ahead log past everything the purge
   * touched: a checkpoint, a new WAL segment, a second checkpoint, so the segments holding
   * the old values are no longer needed for recovery and are recycled. Tables are locked
   * while rewritten: seconds for a national survey, once a year.
   */
  private async rewritePurgedTables(purgeXid: string): Promise<PurgeSummary['rewritten']> {
    return asOwner(this.config, async (owner) => {
      await this.waitForOlderTransactions(owner, purgeXid);
      await owner.query(`VACUUM (FULL, ANALYZE) ${PURGED_TABLES.join(', ')}`);
      await owner.query('VACUUM FULL pg_statistic');
      try {
        await owner.query('CHECKPOINT');
        await owner.query('SELECT pg_switch_wal()');
        await owner.query('CHECKPOINT');
        return { tables: PURGED_TABLES, checkpoint: true };
      } catch (error) {
        if (!isPermissionDenied(error)) throw error;
        this.logger.warn('The purge could not force a checkpoint (the owner role may not): the write-ahead log keeps the old values until the next scheduled checkpoints');
        return { tables: PURGED_TABLES, checkpoint: false };
      }
    });
  }

  /**
   * A rewrite keeps every old row version that a transaction still running might see: any
   * writer on the server older than the purge (snapshots span databases), and any snapshot
   * taken before it in this database, read-only ones included. The rewrite waits for both.
   */
  private async waitForOlderTransactions(owner: Client, purgeXid: string): Promise<void> {
    const deadline = Date.now() + OLDER_TRANSACTIONS_WAIT_MS;
    for (;;) {
      // Writers older than the purge anywhere on the server, and snapshots taken before it (a
      // read-only pg_dump, a report) by anyone connected to this database.
      const [{ clear }] = (await owner.query(
        `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint > $1::bigint
           AND NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                             AND backend_xmin IS NOT NULL AND age(backend_xmin) >= age(($1::bigint % 4294967296)::text::xid)) AS clear`,
        [purgeXid])).rows;
      if (clear) return;
      if (Date.now() > deadline) {
        throw new DomainError('conflict', 'The identifiable data is removed, but a long-running database transaction still holds old copies of it, '
          + 'so the tables could not be rewritten yet. Run survey:purge again once it has ended (a database administrator can see it in pg_stat_activity).');
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /**
   * Print files, one-off packs and manifests of the survey and its e-mails kept in the outbox,
   * from the file store (the shared bucket when there is one); scratch, staged and cut-off
   * leftovers written before the close, which may be this survey's. Nothing of a closed survey
   * is written after its close, so younger ones are other surveys' work, possibly in progress.
   */
  private async deleteFiles(surveyId: string, surveyCode: string, closedAt: Date): Promise<number> {
    let deleted = await this.store.deletePrefix(`print/${surveyCode}/`);
    const outbox = await this.store.list('outbox/');
    if (outbox.length) {
      const ids = new Set((await this.dataSource.query(`SELECT id::text FROM mailings WHERE survey_id = $1 AND channel = 'email'`, [surveyId]))
        .map((r: { id: string }) => r.id));
      for (const { key } of outbox) {
        const id = /mailing-(\d+)@/.exec(key)?.[1];
        if (id && ids.has(id)) { await this.store.delete(key); deleted++; }
      }
    }
    deleted += await this.scratch.prune(Math.max(0, Date.now() - closedAt.getTime()));
    return deleted;
  }
}
