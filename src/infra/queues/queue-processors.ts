import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Type } from '@nestjs/common';
import { Job, WaitingError } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { Draining, HandedBack } from '../shutdown/draining';
import { QUEUE_NAMES, QUEUE_POLICY, QueueName } from './job-catalogue';
import { JobHandlers } from './job-handlers';

// @nestjs/bullmq reads worker options from this class metadata when it creates the worker.
const WORKER_METADATA = 'bullmq:worker_metadata';

/** One BullMQ worker per queue, each dispatching to the @JobHandler for the job's name. */
function processorFor(queue: QueueName): Type<WorkerHost> {
  @Processor(queue, { concurrency: QUEUE_POLICY[queue].concurrency })
  @Injectable()
  class QueueProcessor extends WorkerHost {
    constructor(
      private readonly handlers: JobHandlers, config: AppConfig,
      private readonly draining: Draining, private readonly metrics: MetricsRegistry,
    ) {
      super();
      // On SIGTERM: fetch nothing more and wait for the jobs in hand (close waits for them).
      draining.onDrain(() => this.worker.close());
      // The lock time is configuration, known only now; the worker is created after this.
      const lockDuration = config.WORKER_LOCK_SECONDS * 1000;
      Reflect.defineMetadata(WORKER_METADATA, {
        concurrency: QUEUE_POLICY[queue].concurrency,
        lockDuration,
        stalledInterval: lockDuration,
        // BullMQ's default (1) fails a job, unrun, the second time dying workers abandon it, leaving
        // its rows pending until a wave:reconcile. Taking it over again is safe: every handler is
        // idempotent over the ledger (what was sent or printed is recorded, what was in flight is
        // marked interrupted), so a re-run never sends or prints anything twice.
        maxStalledCount: config.WORKER_MAX_STALLS,
      }, QueueProcessor);
    }

    /**
     * A job abandoned more than WORKER_MAX_STALLS times is failed by the worker that next takes it,
     * without process() running (BullMQ's deferred failure): counted here, as process() counts the rest.
     */
    @OnWorkerEvent('failed')
    onFailed(job: Job | undefined): void {
      if (job?.deferredFailure) this.metrics.recordFailedUnrun(queue);
    }

    // Errors propagate so BullMQ applies the queue's retries and keeps the failure.
    async process(job: Job, token?: string): Promise<unknown> {
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      try {
        if (this.draining.isDraining) throw new HandedBack();
        const result = await this.handlers.dispatch(job);
        this.metrics.recordJob(queue, 'completed', seconds());
        return result;
      } catch (error) {
        if (!(error instanceof HandedBack)) {
          this.metrics.recordJob(queue, 'failed', seconds());
          throw error;
        }
        this.metrics.recordJob(queue, 'handed_back', seconds());
        // Back to waiting as it was, no attempt spent: another worker, or this one restarted, takes it.
        await job.moveToWait(token);
        throw new WaitingError();
      }
    }
  }
  Object.defineProperty(QueueProcessor, 'name', { value: `${queue}QueueProcessor` });
  return QueueProcessor;
}

export const QUEUE_PROCESSORS = QUEUE_NAMES.map(processorFor);
