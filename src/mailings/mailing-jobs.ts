import { Injectable } from '@nestjs/common';
import { JobQueue } from '../infra/queues/job-queue';

/** Job ids follow the ledger: one live job per e-mail row and per print file, whoever enqueues it. */
export const emailJobId = (mailingId: string) => `email-${mailingId}`;
export const printJobId = (printBatchId: string) => `print-${printBatchId}`;

const CHUNK = 2000;

/** Enqueues mailing work in bulk: ids only, due at the step's scheduled time. */
@Injectable()
export class MailingJobs {
  constructor(private readonly jobs: JobQueue) {}

  async enqueue(work: { emails: string[]; printBatches: string[]; dueAt: Date }): Promise<number> {
    const delayMs = Math.max(0, work.dueAt.getTime() - Date.now());
    const delay = delayMs > 1000 ? delayMs : undefined;
    // Print files first: they take longest, and e-mails must not hold them up.
    for (let i = 0; i < work.printBatches.length; i += CHUNK) {
      await this.jobs.addBulk('mailings.print-batch', work.printBatches.slice(i, i + CHUNK).map((printBatchId) => ({
        payload: { printBatchId }, jobId: printJobId(printBatchId), delayMs: delay,
      })));
    }
    for (let i = 0; i < work.emails.length; i += CHUNK) {
      await this.jobs.addBulk('mailings.send-email', work.emails.slice(i, i + CHUNK).map((mailingId) => ({
        payload: { mailingId }, jobId: emailJobId(mailingId), delayMs: delay,
      })));
    }
    return work.emails.length + work.printBatches.length;
  }
}
