import { Module } from '@nestjs/common';
import { SurveysModule } from '../surveys/surveys.module';
import { ResultsController } from './results.controller';
import { ResultsAccess } from './results-access';
import { ResultsService } from './results.service';

@Module({
  imports: [SurveysModule],
  controllers: [ResultsController],
  providers: [ResultsService, ResultsAccess],
  exports: [ResultsService, ResultsAccess],
})
export class ResultsModule {}
