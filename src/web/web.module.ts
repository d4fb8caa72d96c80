import { Global, Module } from '@nestjs/common';
import { uploadsToTemp } from '../infra/storage/uploads';
import { HelplineModule } from '../helpline/helpline.module';
import { ResponsesModule } from '../responses/responses.module';
import { SurveysModule } from '../surveys/surveys.module';
import { TrustsModule } from '../trusts/trusts.module';
import { HelplinePages } from './helpline.pages';
import { TrustPages } from './trust.pages';
import { SampleFormatPages } from './sample-format.pages';
import { CoordinatorPages } from './coordinator.pages';
import { MailingsModule } from '../mailings/mailings.module';
import { SamplesModule } from '../samples/samples.module';
import { ReportsModule } from '../reports/reports.module';
import { UsersModule } from '../users/users.module';
import { AssetsController } from './assets.controller';
import { InfoPages } from './info.pages';
import { OnlinePages } from './online.pages';
import { OptOutPages } from './opt-out.pages';
import { Pages } from './pages';
import { WebAuthController } from './web-auth.controller';
import { ResultsModule } from '../results/results.module';
import { LocalReportsModule } from '../local-reports/local-reports.module';
import { ResultsPages } from './results.pages';
import { PublicResultsPages } from './public-results.pages';
import { AreasModule } from '../areas/areas.module';
import { DeathsModule } from '../deaths/deaths.module';
import { RetentionModule } from '../retention/retention.module';
import { CoordinatorSetupPages } from './coordinator-setup.pages';
import { CoordinatorUsersPages } from './coordinator-users.pages';
import { CoordinatorClosePages } from './coordinator-close.pages';
import { LocalReportsPages } from './local-reports.pages';

/** The pages people use: sign-in, the patient's online questionnaire and the footer's pages, the helpline, trusts and coordinators. */
@Global()
@Module({
  imports: [
    UsersModule, ResponsesModule, HelplineModule, SurveysModule, TrustsModule, SamplesModule, ReportsModule, MailingsModule, ResultsModule, LocalReportsModule,
    AreasModule, DeathsModule, RetentionModule,
    uploadsToTemp(200),
  ],
  controllers: [AssetsController, WebAuthController, OptOutPages, OnlinePages, InfoPages, HelplinePages, TrustPages, SampleFormatPages, CoordinatorPages, ResultsPages,
    PublicResultsPages, CoordinatorSetupPages, CoordinatorUsersPages, CoordinatorClosePages, LocalReportsPages],
  providers: [Pages],
  exports: [Pages],
})
export class WebModule {}
