import { Module } from '@nestjs/common';
import { ResultsModule } from '../results/results.module';
import { SurveysModule } from '../surveys/surveys.module';
import { LocalReportsController } from './local-reports.controller';
import { LocalReportsService } from './local-reports.service';
import { ReportRunsController } from './report-runs.controller';
import { ReportRunsService } from './report-runs.service';

@Module({
  imports: [SurveysModule, ResultsModule],
  controllers: [LocalReportsController, ReportRunsController],
  providers: [LocalReportsService, ReportRunsService],
  exports: [LocalReportsService, ReportRunsService],
})
export class LocalReportsModule {}
