import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QUEUE_NAMES } from './job-catalogue';
import { JobQueue } from './job-queue';
import { redisOptions } from './redis-connection';

/** Producers only: every process may enqueue; only the worker entry point registers processors. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        connection: redisOptions(config.REDIS_URL),
        prefix: config.QUEUE_PREFIX,
      }),
    }),
    BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
  ],
  providers: [JobQueue],
  exports: [JobQueue, BullModule],
})
export class QueuesModule {}
