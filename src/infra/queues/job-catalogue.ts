/**
 * The one catalogue of background work: queue names, job names and each job's payload type.
 * Enqueue only through JobQueue, which types the payload by job name.
 *
 * Queue names are part of Redis keys: renaming one strands every job waiting in the old
 * queue. Add new names; never rename.
 */
export const QUEUE_NAMES = ['maintenance', 'postal', 'email', 'reports', 'sms'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Payloads carry ids and parameters only; handlers reload the facts from PostgreSQL. */
export interface JobPayloads {
  /** Deletes abandoned temporary files (partial uploads, unfinished renders) from storage. */
  'maintenance.prune-temp-files': { olderThanMinutes: number };
  /** Writes one planned print file: its pending ledger rows, re-checked for suppression. */
  'mailings.print-batch': { printBatchId: string };
  /** Sends the e-mail of one ledger row, re-checked for suppression. */
  'mailings.send-email': { mailingId: string };
  /** First try at the e-mails of several ledger rows of one step; a row that does not go gets a send-email job of its own. */
  'mailings.send-emails': { mailingIds: string[] };
  /** Sends the text of one ledger row through GOV.UK Notify, re-checked for suppression. */
  'mailings.send-sms': { mailingId: string };
  /** Prints one pack asked for on the phone (large print, replacement), re-checked for suppression. */
  'mailings.print-one-off': { packId: string };
  /** Renders one local report of a results:reports run into storage. */
  'results.render-report': { reportItemId: string };
}
export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { readonly [J in JobName]: QueueName } = {
  'maintenance.prune-temp-files': 'maintenance',
  'mailings.print-batch': 'postal',
  'mailings.send-email': 'email',
  'mailings.send-emails': 'email',
  'mailings.send-sms': 'sms',
  'mailings.print-one-off': 'postal',
  'results.render-report': 'reports',
};

export interface QueuePolicy {
  concurrency: number;
  attempts: number;
  /** First retry delay; later ones double. */
  backoffMs: number;
  /**
   * Keep finished jobs in Redis for a day (for inspection)? Mailing queues drop them: the ledger
   * is their record, and a re-enqueue by the reconciler or a resume must not collide with a
   * finished job's id.
   */
  keepCompleted: boolean;
}

export const QUEUE_POLICY: { readonly [Q in QueueName]: QueuePolicy } = {
  maintenance: { concurrency: 1, attempts: 3, backoffMs: 60_000, keepCompleted: true },
  // Rendering is CPU-bound: one file at a time per worker process; add processes to go faster.
  postal: { concurrency: 1, attempts: 5, backoffMs: 30_000, keepCompleted: false },
  // Sending waits on the SMTP server: many in flight over the transport's pooled connections.
  email: { concurrency: 50, attempts: 5, backoffMs: 60_000, keepCompleted: false },
  // A report is CPU-bound like a print file; its item row is the record, as the ledger is for mailings.
  reports: { concurrency: 1, attempts: 3, backoffMs: 5_000, keepCompleted: false },
  // Each text is one HTTPS request to Notify, which allows 3,000 messages a minute per service
  // key: enough in flight to wait on its latency, few enough that a rate limit (429) backs off.
  sms: { concurrency: 20, attempts: 5, backoffMs: 60_000, keepCompleted: false },
};

export const JOB_NAMES = Object.keys(JOB_QUEUE) as JobName[];
