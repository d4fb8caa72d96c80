import { getQueueToken } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { JobsOptions, Queue } from 'bullmq';
import { JOB_QUEUE, JobName, JobPayloads, QUEUE_NAMES, QUEUE_POLICY, QueueName } from './job-catalogue';

export interface Enqueue<J extends JobName> {
  payload: JobPayloads[J];
  /** Deterministic ids make a second enqueue of the same work a no-op. */
  jobId?: string;
  delayMs?: number;
}

/** The only way work reaches a queue: typed by job name, with the queue's retry policy. */
@Injectable()
export class JobQueue {
  constructor(private readonly moduleRef: ModuleRef) {}

  queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  async add<J extends JobName>(name: J, job: Enqueue<J>): Promise<void> {
    await this.queue(JOB_QUEUE[name]).add(name, job.payload, this.options(name, job));
  }

  async addBulk<J extends JobName>(name: J, jobs: Enqueue<J>[]): Promise<void> {
    if (!jobs.length) return;
    await this.queue(JOB_QUEUE[name]).addBulk(
      jobs.map((job) => ({ name, data: job.payload, opts: this.options(name, job) })),
    );
  }

  allQueues(): Queue[] {
    return QUEUE_NAMES.map((q) => this.queue(q));
  }

  private options(name: JobName, job: Enqueue<JobName>): JobsOptions {
    const policy = QUEUE_POLICY[JOB_QUEUE[name]];
    return {
      jobId: job.jobId,
      delay: job.delayMs,
      attempts: policy.attempts,
      backoff: { type: 'exponential', delay: policy.backoffMs },
      removeOnComplete: policy.keepCompleted ? { age: 24 * 3600, count: 10_000 } : true,
      removeOnFail: false, // failed jobs stay for inspection and retry by hand
    };
  }
}
