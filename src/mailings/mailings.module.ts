import { Module } from '@nestjs/common';
import { QuestionnairesModule } from '../questionnaires/questionnaires.module';
import { SurveysModule } from '../surveys/surveys.module';
import { EmailMailingsService } from './email-mailings.service';
import { MailingJobs } from './mailing-jobs';
import { MailingsController } from './mailings.controller';
import { NotifyCallbackGuard, NotifyCallbacksController } from './notify-callbacks.controller';
import { OneOffPacksService } from './one-off-packs.service';
import { PrintBatchesService } from './print-batches.service';
import { PrintFilesController } from './print-files.controller';
import { PrintFilesService } from './print-files.service';
import { ReconcilerService } from './reconciler.service';
import { StepGate } from './step-gate';
import { RetryFailedService } from './retry-failed.service';
import { SmsMailingsService } from './sms-mailings.service';
import { WavesService } from './waves.service';

@Module({
  imports: [SurveysModule, QuestionnairesModule],
  controllers: [MailingsController, NotifyCallbacksController, PrintFilesController],
  providers: [WavesService, RetryFailedService, PrintBatchesService, EmailMailingsService, SmsMailingsService, ReconcilerService, MailingJobs, StepGate, OneOffPacksService, NotifyCallbackGuard, PrintFilesService],
  exports: [WavesService, RetryFailedService, PrintBatchesService, EmailMailingsService, SmsMailingsService, ReconcilerService, OneOffPacksService],
})
export class MailingsModule {}
