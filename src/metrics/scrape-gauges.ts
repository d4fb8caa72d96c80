import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsRegistry } from '../infra/metrics/metrics-registry';
import { QUEUE_NAMES } from '../infra/queues/job-catalogue';
import { JobQueue } from '../infra/queues/job-queue';

/**
 * Gauges read when Prometheus scrapes, from what every process shares: queue depth from Redis,
 * sends and imports from PostgreSQL. So the senders and the import need no metrics code, and
 * the figures are right however many worker processes there are.
 */
@Injectable()
export class ScrapeGauges {
  constructor(metrics: MetricsRegistry, queues: JobQueue, @InjectDataSource() dataSource: DataSource) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'fieldwork_queue_jobs',
      help: 'Jobs in each queue by state (waiting, delayed, active), for every worker process together',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const name of QUEUE_NAMES) {
          const counts = await queues.queue(name).getJobCounts('waiting', 'delayed', 'active');
          for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
        }
      },
    });
    new Gauge({
      name: 'fieldwork_queue_oldest_waiting_seconds',
      help: 'Age of the job that has waited longest in each queue (0 when none waits)',
      labelNames: ['queue'],
      registers,
      async collect() {
        for (const name of QUEUE_NAMES) {
          const [oldest] = await queues.queue(name).getJobs(['wait'], 0, 0, true);
          const since = oldest ? oldest.timestamp + (oldest.opts.delay ?? 0) : Date.now();
          this.set({ queue: name }, Math.max(0, (Date.now() - since) / 1000));
        }
      },
    });
    new Gauge({
      name: 'fieldwork_mailings',
      help: 'Ledger rows (letters, e-mails, texts) of surveys in sampling or fieldwork, by survey, channel and status',
      labelNames: ['survey', 'channel', 'status'],
      registers,
      async collect() {
        const rows: { survey: string; channel: string; status: string; n: number }[] = await dataSource.query(
          `SELECT s.code AS survey, m.channel, m.status, count(*)::int AS n
             FROM mailings m JOIN surveys s ON s.id = m.survey_id
            WHERE s.status IN ('sampling', 'fieldwork') GROUP BY 1, 2, 3`);
        this.reset();
        for (const r of rows) this.set({ survey: r.survey, channel: r.channel, status: r.status }, r.n);
      },
    });
    new Gauge({
      name: 'fieldwork_sample_import_rows',
      help: 'Sample file rows read and rejected, by survey and outcome (read, rejected), all uploads counted',
      labelNames: ['survey', 'outcome'],
      registers,
      async collect() {
        const rows: { survey: string; read: number; rejected: number }[] = await dataSource.query(
          `SELECT s.code AS survey, sum(f.rows_read)::int AS read, sum(f.rows_rejected)::int AS rejected
             FROM sample_files f JOIN surveys s ON s.id = f.survey_id GROUP BY 1`);
        this.reset();
        for (const r of rows) {
          this.set({ survey: r.survey, outcome: 'read' }, r.read);
          this.set({ survey: r.survey, outcome: 'rejected' }, r.rejected);
        }
      },
    });
    new Gauge({
      name: 'fieldwork_sample_files',
      help: 'Sample files uploaded, by survey and status (accepted, rejected)',
      labelNames: ['survey', 'status'],
      registers,
      async collect() {
        const rows: { survey: string; status: string; n: number }[] = await dataSource.query(
          `SELECT s.code AS survey, f.status, count(*)::int AS n
             FROM sample_files f JOIN surveys s ON s.id = f.survey_id GROUP BY 1, 2`);
        this.reset();
        for (const r of rows) this.set({ survey: r.survey, status: r.status }, r.n);
      },
    });
  }
}
