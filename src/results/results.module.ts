import { Module } from '@nestjs/common';
import { SurveysModule } from '../surveys/surveys.module';
import { PublicationService } from './publication.service';
import { ResultsController } from './results.controller';
import { ResultsAccess } from './results-access';
import { ResultsService } from './results.service';

@Module({
  imports: [SurveysModule],
  controllers: [ResultsController],
  providers: [ResultsService, ResultsAccess, PublicationService],
  exports: [ResultsService, ResultsAccess, PublicationService],
})
export class ResultsModule {}
