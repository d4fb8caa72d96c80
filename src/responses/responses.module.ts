import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { join } from 'node:path';
import { StorageService } from '../infra/storage/storage.service';
import { QuestionnairesModule } from '../questionnaires/questionnaires.module';
import { SurveysModule } from '../surveys/surveys.module';
import { OnlineResponsesController, ResponsesController } from './responses.controller';
import { OnlineFormService } from './online-form.service';
import { ResponsesService } from './responses.service';
import { ReturnsService } from './returns.service';
import { ScansService } from './scans.service';

@Module({
  imports: [
    SurveysModule,
    QuestionnairesModule,
    MulterModule.registerAsync({
      inject: [StorageService],
      useFactory: (storage: StorageService) => ({ dest: join(storage.root, 'tmp'), limits: { fileSize: 50 * 1024 * 1024, files: 1 } }),
    }),
  ],
  controllers: [ResponsesController, OnlineResponsesController],
  providers: [ResponsesService, ReturnsService, ScansService, OnlineFormService],
  exports: [ResponsesService, ReturnsService, ScansService, OnlineFormService],
})
export class ResponsesModule {}
