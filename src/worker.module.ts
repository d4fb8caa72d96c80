import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DomainModule } from './domain.module';
import { InfraModule } from './infra/infra.module';
import { LoggingModule } from './infra/logging/logging.module';
import { WorkerMetricsServer } from './infra/metrics/worker-metrics-server';
import { JobHandlers } from './infra/queues/job-handlers';
import { QUEUE_PROCESSORS } from './infra/queues/queue-processors';
import { MaintenanceModule } from './maintenance/maintenance.module';

/** The background workers: one BullMQ worker per queue, dispatching to @JobHandler methods. */
@Module({
  imports: [InfraModule, LoggingModule, DomainModule, DiscoveryModule, MaintenanceModule],
  providers: [JobHandlers, ...QUEUE_PROCESSORS, WorkerMetricsServer],
})
export class WorkerModule {}
