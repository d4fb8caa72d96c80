import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JobQueue } from '../infra/queues/job-queue';

/** Registers the hourly clean-up once; BullMQ's scheduler keeps a single schedule across workers. */
@Injectable()
export class MaintenanceScheduler implements OnApplicationBootstrap {
  constructor(private readonly jobs: JobQueue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.queue('maintenance').upsertJobScheduler(
      'hourly-prune-temp-files',
      { every: 3_600_000 },
      { name: 'maintenance.prune-temp-files', data: { olderThanMinutes: 24 * 60 } },
    );
  }
}
