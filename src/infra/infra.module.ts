import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { MailModule } from './mail/mail.module';
import { MetricsRegistryModule } from './metrics/metrics.module';
import { QueuesModule } from './queues/queues.module';
import { ShutdownModule } from './shutdown/shutdown.module';
import { StorageModule } from './storage/storage.module';

/** Shared infrastructure every entry point needs: config, database, queues (producers), storage, mail, shutdown. */
@Module({ imports: [ConfigModule, ShutdownModule, DatabaseModule, MetricsRegistryModule, QueuesModule, StorageModule, MailModule] })
export class InfraModule {}
