import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { QueuesModule } from './queues/queues.module';
import { StorageModule } from './storage/storage.module';

/** Shared infrastructure every entry point needs: config, database, queues (producers), storage. */
@Module({ imports: [ConfigModule, DatabaseModule, QueuesModule, StorageModule] })
export class InfraModule {}
