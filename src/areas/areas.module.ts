import { Module } from '@nestjs/common';
import { SurveysModule } from '../surveys/surveys.module';
import { AreaLookupService } from './area-lookup.service';

@Module({ imports: [SurveysModule], providers: [AreaLookupService], exports: [AreaLookupService] })
export class AreasModule {}
