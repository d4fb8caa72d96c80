import { Global, Module } from '@nestjs/common';
import { uploadsToTemp } from '../infra/storage/uploads';
import { HelplineModule } from '../helpline/helpline.module';
import { ResponsesModule } from '../responses/responses.module';
import { SurveysModule } from '../surveys/surveys.module';
import { HelplinePages } from './helpline.pages';
import { TrustPages } from './trust.pages';
import { CoordinatorPages } from './coordinator.pages';
import { MailingsModule } from '../mailings/mailings.module';
import { SamplesModule } from '../samples/samples.module';
import { ReportsModule } from '../reports/reports.module';
import { UsersModule } from '../users/users.module';
import { AssetsController } from './assets.controller';
import { OnlinePages } from './online.pages';
import { OptOutPages } from './opt-out.pages';
import { Pages } from './pages';
import { WebAuthController } from './web-auth.controller';

/** The pages people use: sign-in, the patient's online questionnaire, the helpline, trusts and coordinators. */
@Global()
@Module({
  imports: [
    UsersModule, ResponsesModule, HelplineModule, SurveysModule, SamplesModule, ReportsModule, MailingsModule,
    uploadsToTemp(200),
  ],
  controllers: [AssetsController, WebAuthController, OptOutPages, OnlinePages, HelplinePages, TrustPages, CoordinatorPages],
  providers: [Pages],
  exports: [Pages],
})
export class WebModule {}
