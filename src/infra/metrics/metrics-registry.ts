import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';

export type JobOutcome = 'completed' | 'failed' | 'handed_back';

interface PgPool { totalCount: number; idleCount: number; waitingCount: number }

/**
 * This application's Prometheus metrics. One registry per Nest application rather than
 * prom-client's global one: `npm start` runs the service and the workers in one process, and
 * the tests start many applications in one process.
 *
 * Labels are queue names, route templates, channels and statuses: never anything from a patient.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();
  private defaultsOn = false;

  readonly jobDuration = new Histogram({
    name: 'fieldwork_job_duration_seconds',
    help: 'Job attempts run by this process, by queue and outcome (a retried job counts each attempt; handed_back: returned unstarted on shutdown)',
    labelNames: ['queue', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly jobs = new Counter({
    name: 'fieldwork_jobs_total',
    help: 'Job attempts run by this process, by queue and outcome (completed, failed, handed_back; failed also counts a job failed unrun for stalling too often)',
    labelNames: ['queue', 'outcome'],
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'fieldwork_http_request_duration_seconds',
    help: 'HTTP requests by method, route template (never the URL itself) and status class',
    labelNames: ['method', 'route', 'status_class'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  constructor(@InjectDataSource() dataSource: DataSource) {
    new Gauge({
      name: 'fieldwork_db_pool_connections',
      help: 'This process\'s PostgreSQL pool: total, idle, and callers waiting for a connection',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const pool = (dataSource.driver as unknown as { master?: PgPool }).master;
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }

  recordJob(queue: string, outcome: JobOutcome, seconds: number): void {
    this.jobDuration.observe({ queue, outcome }, seconds);
    this.jobs.inc({ queue, outcome });
  }

  /** A job BullMQ failed without running it (abandoned by dying workers too often): nothing ran, so no duration. */
  recordFailedUnrun(queue: string): void {
    this.jobs.inc({ queue, outcome: 'failed' });
  }

  /** Process metrics (CPU, memory, event loop): only where the registry is served, once. */
  withProcessMetrics(): this {
    if (!this.defaultsOn) collectDefaultMetrics({ register: this.registry });
    this.defaultsOn = true;
    return this;
  }
}
