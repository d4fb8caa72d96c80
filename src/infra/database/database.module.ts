import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig, appDatabaseUrl } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      // Least privilege: the owner's DATABASE_URL is for set-up and migrations only.
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(appDatabaseUrl(config)), retryAttempts: 2 }),
    }),
  ],
})
export class DatabaseModule {}
