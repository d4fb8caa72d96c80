import { Module } from '@nestjs/common';
import { uploadsToTemp } from '../infra/storage/uploads';
import { QuestionnairesModule } from '../questionnaires/questionnaires.module';
import { SurveysModule } from '../surveys/surveys.module';
import { OnlineResponsesController, ResponsesController } from './responses.controller';
import { OnlineFormService } from './online-form.service';
import { OptOutService } from './opt-out.service';
import { ResponsesService } from './responses.service';
import { ReturnsService } from './returns.service';
import { ScansService } from './scans.service';

@Module({
  imports: [
    SurveysModule,
    QuestionnairesModule,
    uploadsToTemp(50),
  ],
  controllers: [ResponsesController, OnlineResponsesController],
  providers: [ResponsesService, ReturnsService, ScansService, OnlineFormService, OptOutService],
  exports: [ResponsesService, ReturnsService, ScansService, OnlineFormService, OptOutService],
})
export class ResponsesModule {}
