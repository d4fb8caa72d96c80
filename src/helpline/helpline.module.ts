import { Module } from '@nestjs/common';
import { MailingsModule } from '../mailings/mailings.module';
import { ResponsesModule } from '../responses/responses.module';
import { SurveysModule } from '../surveys/surveys.module';
import { HelplineController } from './helpline.controller';
import { HelplineService } from './helpline.service';

@Module({
  imports: [SurveysModule, MailingsModule, ResponsesModule],
  controllers: [HelplineController],
  providers: [HelplineService],
  exports: [HelplineService],
})
export class HelplineModule {}
