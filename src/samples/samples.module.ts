import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { join } from 'node:path';
import { StorageService } from '../infra/storage/storage.service';
import { SurveysModule } from '../surveys/surveys.module';
import { TrustsModule } from '../trusts/trusts.module';
import { SampleFile } from './sample-file.entity';
import { SampleFilesService } from './sample-files.service';
import { SampleImportService } from './sample-import.service';
import { SamplesController } from './samples.controller';

@Module({
  imports: [
    TypeOrmModule.forFeature([SampleFile]),
    SurveysModule,
    TrustsModule,
    // Uploads land on disk (the importer streams them), under tmp/ which maintenance prunes.
    MulterModule.registerAsync({
      inject: [StorageService],
      useFactory: (storage: StorageService) => ({
        dest: join(storage.root, 'tmp'),
        limits: { fileSize: 200 * 1024 * 1024, files: 1 },
      }),
    }),
  ],
  controllers: [SamplesController],
  providers: [SampleImportService, SampleFilesService],
  exports: [SampleImportService, SampleFilesService],
})
export class SamplesModule {}
