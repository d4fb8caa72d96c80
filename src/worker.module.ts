import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DomainModule } from './domain.module';
import { InfraModule } from './infra/infra.module';
import { LoggingModule } from './infra/logging/logging.module';
import { WorkerMetricsServer } from './infra/metrics/worker-metrics-server';
import { JobHandlers } from './infra/queues/job-handlers';
import { QUEUE_PROCESSORS } from './infra/queues/queue-processors';
import { BouncesModule } from './mailings/bounces/bounces.module';
import { MaintenanceModule } from './maintenance/maintenance.module';

/** The background workers: one BullMQ worker per queue, dispatching to @JobHandler methods; and the bounce receiver when BOUNCE_SMTP_PORT is set. */
@Module({
  imports: [InfraModule, LoggingModule, DomainModule, DiscoveryModule, MaintenanceModule, BouncesModule],
  providers: [JobHandlers, ...QUEUE_PROCESSORS, WorkerMetricsServer],
})
export class WorkerModule {}
