/**
 * The one catalogue of background work: queue names, job names and each job's payload type.
 * Enqueue only through JobQueue, which types the payload by job name.
 *
 * Queue names are part of Redis keys: renaming one strands every job waiting in the old
 * queue. Add new names; never rename.
 */
export const QUEUE_NAMES = ['maintenance'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Payloads carry ids and parameters only; handlers reload the facts from PostgreSQL. */
export interface JobPayloads {
  /** Deletes abandoned temporary files (partial uploads, unfinished renders) from storage. */
  'maintenance.prune-temp-files': { olderThanMinutes: number };
}
export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { readonly [J in JobName]: QueueName } = {
  'maintenance.prune-temp-files': 'maintenance',
};

export interface QueuePolicy {
  concurrency: number;
  attempts: number;
  /** First retry delay; later ones double. */
  backoffMs: number;
}

export const QUEUE_POLICY: { readonly [Q in QueueName]: QueuePolicy } = {
  maintenance: { concurrency: 1, attempts: 3, backoffMs: 60_000 },
};

export const JOB_NAMES = Object.keys(JOB_QUEUE) as JobName[];
