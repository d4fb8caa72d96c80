import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Type } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QUEUE_NAMES, QUEUE_POLICY, QueueName } from './job-catalogue';
import { JobHandlers } from './job-handlers';

/** One BullMQ worker per queue, each dispatching to the @JobHandler for the job's name. */
function processorFor(queue: QueueName): Type<WorkerHost> {
  @Processor(queue, { concurrency: QUEUE_POLICY[queue].concurrency })
  @Injectable()
  class QueueProcessor extends WorkerHost {
    constructor(private readonly handlers: JobHandlers) {
      super();
    }

    // Errors propagate so BullMQ applies the queue's retries and keeps the failure.
    process(job: Job): Promise<unknown> {
      return this.handlers.dispatch(job);
    }
  }
  Object.defineProperty(QueueProcessor, 'name', { value: `${queue}QueueProcessor` });
  return QueueProcessor;
}

export const QUEUE_PROCESSORS = QUEUE_NAMES.map(processorFor);
