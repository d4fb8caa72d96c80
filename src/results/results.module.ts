import { Module } from '@nestjs/common';
import { SurveysModule } from '../surveys/surveys.module';
import { PublicationService } from './publication.service';
import { AnalystsController } from './analysts.controller';
import { CommentsService } from './comments/comments.service';
import { DatasetService } from './dataset/dataset.service';
import { ResultsController } from './results.controller';
import { ResultsAccess } from './results-access';
import { ResultsService } from './results.service';

@Module({
  imports: [SurveysModule],
  controllers: [ResultsController, AnalystsController],
  providers: [ResultsService, ResultsAccess, PublicationService, CommentsService, DatasetService],
  exports: [ResultsService, ResultsAccess, PublicationService, CommentsService, DatasetService],
})
export class ResultsModule {}
