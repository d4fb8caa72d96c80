import { Module } from '@nestjs/common';
import { QuestionnairesModule } from '../questionnaires/questionnaires.module';
import { SurveysModule } from '../surveys/surveys.module';
import { PrintBatchesService } from './print-batches.service';

@Module({ imports: [SurveysModule, QuestionnairesModule], providers: [PrintBatchesService], exports: [PrintBatchesService] })
export class MailingsModule {}
