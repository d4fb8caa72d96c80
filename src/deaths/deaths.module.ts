import { Module } from '@nestjs/common';
import { SurveysModule } from '../surveys/surveys.module';
import { DeathsService } from './deaths.service';

@Module({ imports: [SurveysModule], providers: [DeathsService], exports: [DeathsService] })
export class DeathsModule {}
