import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import type { JobPayloads } from '../infra/queues/job-catalogue';
import { JobQueue } from '../infra/queues/job-queue';
import { mailingPlanOf, planStep } from '../surveys/mailing-plan';
import { parseSurveySettings } from '../surveys/survey-settings';
import { SurveysService } from '../surveys/surveys.service';
import { EmailMailingsService, INTERRUPTED } from './email-mailings.service';
import { emailJobId, MailingJobs, printJobId, smsJobId } from './mailing-jobs';
import { oneOffJobId, OneOffPacksService } from './one-off-packs.service';
import { SMS_INTERRUPTED, SmsMailingsService } from './sms-mailings.service';

export interface ReconcileSummary {
  survey: string;
  step: string | null;
  /** Pending work looked up in Redis. */
  checked: { email: number; sms: number; postal: number; oneOff: number };
  /** Of those, queued again because no live job held them (Redis lost, a paused step resumed). */
  requeued: { email: number; sms: number; postal: number; oneOff: number };
  /** Failed jobs kept in Redis whose rows were pending again (retried by hand): set running. */
  retried: number;
  /** E-mails and texts left "sending" (a worker stopped, or could not record the result), now failed and interrupted for a person to check. */
  interrupted: number;
}

interface Work { id: string; step: string; scheduled_for: Date }

const LOOKUP_CHUNK = 500;

/**
 * Makes Redis match the ledger: every pending e-mail row and every planned print file of a
 * running step, and every pending one-off pack, gets a live job. The database is the record; queues can always be rebuilt.
 */
@Injectable()
export class ReconcilerService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly jobs: JobQueue,
    private readonly mailingJobs: MailingJobs,
    private readonly emails: EmailMailingsService,
    private readonly texts: SmsMailingsService,
    private readonly oneOffPacks: OneOffPacksService,
  ) {}

  async reconcile(surveyCode: string, stepName?: string): Promise<ReconcileSummary> {
    const survey = await this.surveys.get(surveyCode);
    const step = stepName === undefined ? null : planStep(mailingPlanOf(parseSurveySettings(survey.settings)), stepName).name;
    let interrupted = 0;
    for (const [channel, error, staleSeconds] of [
      ['email', INTERRUPTED, this.emails.staleClaimSeconds()], ['sms', SMS_INTERRUPTED, this.texts.staleClaimSeconds()],
    ] as const) {
      // (TypeORM answers a bare UPDATE … RETURNING with [rows, count]: count through a CTE instead.)
      const [{ n }] = await this.dataSource.query(
        `WITH u AS (UPDATE mailings SET status = 'failed', interrupted = true, completed_at = now(), error = $3
                    WHERE survey_id = $1 AND ($2::text IS NULL OR step = $2) AND channel = $5 AND status = 'sending'
                      AND claimed_at < now() - make_interval(secs => $4) RETURNING 1)
         SELECT count(*)::int AS n FROM u`,
        [survey.id, step, error, staleSeconds, channel]);
      interrupted += n;
    }
    const running = `JOIN mailing_steps ms ON ms.survey_id = x.survey_id AND ms.step = x.step AND ms.paused_at IS NULL
                     WHERE x.survey_id = $1 AND ($2::text IS NULL OR x.step = $2)`;
    const emails: Work[] = await this.dataSource.query(
      `SELECT x.id::text AS id, x.step, ms.scheduled_for FROM mailings x ${running}
       AND x.channel = 'email' AND x.status = 'pending' ORDER BY x.id`, [survey.id, step]);
    const texts: Work[] = await this.dataSource.query(
      `SELECT x.id::text AS id, x.step, ms.scheduled_for FROM mailings x ${running}
       AND x.channel = 'sms' AND x.status = 'pending' ORDER BY x.id`, [survey.id, step]);
    const files: Work[] = await this.dataSource.query(
      `SELECT x.id::text AS id, x.step, ms.scheduled_for FROM print_batches x ${running}
       AND x.status = 'planned' AND EXISTS (SELECT 1 FROM mailings m WHERE m.print_batch_id = x.id AND m.status = 'pending')
       ORDER BY x.batch_number`, [survey.id, step]);
    // Single packs asked for on the phone belong to no step: checked when no step is named.
    const oneOffs: Work[] = step ? [] : await this.dataSource.query(
      `SELECT id::text AS id, step, requested_at AS scheduled_for FROM one_off_packs WHERE survey_id = $1 AND status = 'pending' ORDER BY id`,
      [survey.id]);

    const summary: ReconcileSummary = {
      survey: survey.code, step, checked: { email: emails.length, sms: texts.length, postal: files.length, oneOff: oneOffs.length },
      requeued: { email: 0, sms: 0, postal: 0, oneOff: 0 }, retried: 0, interrupted,
    };
    for (const [channel, work, queue, jobId] of [
      ['postal', files, this.jobs.queue('postal'), printJobId],
      ['email', emails, this.jobs.queue('email'), emailJobId],
      ['sms', texts, this.jobs.queue('sms'), smsJobId],
    ] as const) {
      const inBatches = channel === 'email' ? await this.rowsInLiveBatches(queue, work) : { covered: new Set<string>(), retried: 0 };
      const { missing, retried } = await this.withoutLiveJob(queue, work.filter((w) => !inBatches.covered.has(w.id)), jobId);
      summary.retried += retried + inBatches.retried;
      for (const due of new Set(missing.map((w) => w.scheduled_for.getTime()))) {
        const ids = missing.filter((w) => w.scheduled_for.getTime() === due).map((w) => w.id);
        await this.mailingJobs.enqueue({
          emails: channel === 'email' ? ids : [], texts: channel === 'sms' ? ids : [], printBatches: channel === 'postal' ? ids : [], dueAt: new Date(due),
        });
      }
      summary.requeued[channel] = missing.length;
    }
    const { missing, retried } = await this.withoutLiveJob(this.jobs.queue('postal'), oneOffs, oneOffJobId);
    summary.retried += retried;
    await this.oneOffPacks.enqueue(missing.map((w) => w.id));
    summary.requeued.oneOff = missing.length;
    return summary;
  }

  /**
   * Pending e-mail rows held by a live job of several rows (a wave's first tries); such a job
   * kept failed (it could not hand its rows on) is retried in place if any of its rows is pending.
   */
  private async rowsInLiveBatches(queue: Queue, work: Work[]): Promise<{ covered: Set<string>; retried: number }> {
    const pending = new Set(work.map((w) => w.id));
    const covered = new Set<string>();
    let retried = 0;
    const held = (jobs: Job[]) => jobs.filter((job) => job?.name === 'mailings.send-emails')
      .map((job) => ({ job, rows: (job.data as JobPayloads['mailings.send-emails']).mailingIds.filter((id) => pending.has(id)) }))
      .filter((h) => h.rows.length);
    for (const { rows } of held(await queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'waiting-children']))) {
      for (const id of rows) covered.add(id);
    }
    for (const { job, rows } of held(await queue.getJobs(['failed']))) {
      await job.retry('failed');
      retried++;
      for (const id of rows) covered.add(id);
    }
    return { covered, retried };
  }

  /** The work with no job in Redis; failed jobs kept for inspection are retried in place. */
  private async withoutLiveJob(queue: Queue, work: Work[], jobId: (id: string) => string): Promise<{ missing: Work[]; retried: number }> {
    const missing: Work[] = [];
    let retried = 0;
    for (let i = 0; i < work.length; i += LOOKUP_CHUNK) {
      const chunk = work.slice(i, i + LOOKUP_CHUNK);
      const states = await Promise.all(chunk.map((w) => queue.getJobState(jobId(w.id))));
      for (const [j, state] of states.entries()) {
        if (state === 'unknown' || state === 'completed') {
          if (state === 'completed') await queue.remove(jobId(chunk[j].id));
          missing.push(chunk[j]);
        } else if (state === 'failed') {
          await (await queue.getJob(jobId(chunk[j].id)))?.retry('failed');
          retried++;
        }
      }
    }
    return { missing, retried };
  }
}
