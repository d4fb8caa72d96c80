import { configOrExit } from './boot';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JobHandlers } from './infra/queues/job-handlers';
import { WorkerModule } from './worker.module';

export async function startWorkers(): Promise<void> {
  configOrExit();
  const app = await NestFactory.createApplicationContext(WorkerModule);
  app.enableShutdownHooks();
  await app.init();
  new Logger('Fieldwork').log(`Workers running for: ${app.get(JobHandlers).handledJobs().join(', ')}`);
}

if (require.main === module) void startWorkers();
