import { Module } from '@nestjs/common';
import { uploadsToTemp } from '../infra/storage/uploads';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SurveysModule } from '../surveys/surveys.module';
import { TrustsModule } from '../trusts/trusts.module';
import { SampleFile } from './sample-file.entity';
import { SampleFilesService } from './sample-files.service';
import { SampleImportService } from './sample-import.service';
import { SampleExclusionsService } from './sample-exclusions';
import { SamplesController } from './samples.controller';

@Module({
  imports: [
    TypeOrmModule.forFeature([SampleFile]),
    SurveysModule,
    TrustsModule,
    uploadsToTemp(200),
  ],
  controllers: [SamplesController],
  providers: [SampleImportService, SampleFilesService, SampleExclusionsService],
  exports: [SampleImportService, SampleFilesService, SampleExclusionsService],
})
export class SamplesModule {}
