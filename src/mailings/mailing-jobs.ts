import { Injectable } from '@nestjs/common';
import { JobQueue } from '../infra/queues/job-queue';

/** Job ids follow the ledger: one live job per e-mail or text row and per print file, whoever enqueues it. */
export const emailJobId = (mailingId: string) => `email-${mailingId}`;
export const printJobId = (printBatchId: string) => `print-${printBatchId}`;
export const smsJobId = (mailingId: string) => `sms-${mailingId}`;

const CHUNK = 2000;

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
    for (let i = 0; i < work.emails.length; i += CHUNK) {
      await this.jobs.addBulk('mailings.send-email', work.emails.slice(i, i + CHUNK).map((mailingId) => ({
        payload: { mailingId }, jobId: emailJobId(mailingId), delayMs: delay,
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
}
