import { Module } from '@nestjs/common';
import { SurveysModule } from '../surveys/surveys.module';
import { RetentionService } from './retention.service';

@Module({ imports: [SurveysModule], providers: [RetentionService], exports: [RetentionService] })
export class RetentionModule {}
