import { configOrExit } from './boot';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { JobHandlers } from './infra/queues/job-handlers';
import { stopOnSignals } from './infra/shutdown/stop-on-signals';
import { WorkerModule } from './worker.module';

export async function startWorkers(): Promise<void> {
  const config = configOrExit();
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  stopOnSignals(app, config.SHUTDOWN_GRACE_SECONDS);
  await app.init();
  new Logger('Fieldwork').log(`Workers running for: ${app.get(JobHandlers).handledJobs().join(', ')}`);
}

if (require.main === module) void startWorkers();
