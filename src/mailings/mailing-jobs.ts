import { Injectable } from '@nestjs/common';
import { JobQueue } from '../infra/queues/job-queue';

/** Job ids follow the ledger, so the same work enqueued twice (by a launch, a resume, the reconciler) makes one job. */
export const emailJobId = (mailingId: string) => `email-${mailingId}`;
/** A wave's e-mails, several rows a job: named by its first and last row. */
export const emailsJobId = (mailingIds: string[]) => `emails-${mailingIds[0]}-${mailingIds.at(-1)}`;
export const printJobId = (printBatchId: string) => `print-${printBatchId}`;
export const smsJobId = (mailingId: string) => `sms-${mailingId}`;

const CHUNK = 2000;

/**
 * E-mail rows per job. Each job costs a queue round trip and Redis work of its own: with one row
 * a job, ten rows a job cut worker CPU per e-mail by about a sixth and Redis's by three quarters (npm run bench). The
 * rows of a job wait for the transport's connections like any others, so no more are in
 * flight at once; a job holds this many rows until its last one is sent.
 */
export const EMAILS_PER_JOB = 10;

/** Enqueues mailing work in bulk: ids only, due at the step's scheduled time. */
@Injectable()
export class MailingJobs {
  constructor(private readonly jobs: JobQueue) {}

  async enqueue(work: { emails: string[]; texts?: string[]; printBatches: string[]; dueAt: Date }): Promise<number> {
    const delayMs = Math.max(0, work.dueAt.getTime() - Date.now());
    const delay = delayMs > 1000 ? delayMs : undefined;
    // Print files first: they take longest, and e-mails must not hold them up.
    for (let i = 0; i < work.printBatches.length; i += CHUNK) {
      await this.jobs.addBulk('mailings.print-batch', work.printBatches.slice(i, i + CHUNK).map((printBatchId) => ({
        payload: { printBatchId }, jobId: printJobId(printBatchId), delayMs: delay,
      })));
    }
    const emailGroups = Array.from({ length: Math.ceil(work.emails.length / EMAILS_PER_JOB) },
      (_, g) => work.emails.slice(g * EMAILS_PER_JOB, (g + 1) * EMAILS_PER_JOB));
    for (let i = 0; i < emailGroups.length; i += CHUNK) {
      await this.jobs.addBulk('mailings.send-emails', emailGroups.slice(i, i + CHUNK).map((mailingIds) => ({
        payload: { mailingIds }, jobId: emailsJobId(mailingIds), delayMs: delay,
      })));
    }
    const texts = work.texts ?? [];
    for (let i = 0; i < texts.length; i += CHUNK) {
      await this.jobs.addBulk('mailings.send-sms', texts.slice(i, i + CHUNK).map((mailingId) => ({
        payload: { mailingId }, jobId: smsJobId(mailingId), delayMs: delay,
      })));
    }
    return work.emails.length + texts.length + work.printBatches.length;
  }

  /** E-mail rows that did not go in their first try, each in a job of its own with the queue's retries. */
  async emailsOnTheirOwn(mailingIds: string[], delayMs: number): Promise<void> {
    await this.jobs.addBulk('mailings.send-email', mailingIds.map((mailingId) => ({
      payload: { mailingId }, jobId: emailJobId(mailingId), delayMs: delayMs || undefined,
    })));
  }
}
