import { Global, Module } from '@nestjs/common';
import { HelplineModule } from '../helpline/helpline.module';
import { ResponsesModule } from '../responses/responses.module';
import { SurveysModule } from '../surveys/surveys.module';
import { HelplinePages } from './helpline.pages';
import { UsersModule } from '../users/users.module';
import { AssetsController } from './assets.controller';
import { OnlinePages } from './online.pages';
import { Pages } from './pages';
import { WebAuthController } from './web-auth.controller';

/** The pages people use: sign-in, the patient's online questionnaire, the helpline, trusts and coordinators. */
@Global()
@Module({
  imports: [UsersModule, ResponsesModule, HelplineModule, SurveysModule],
  controllers: [AssetsController, WebAuthController, OnlinePages, HelplinePages],
  providers: [Pages],
  exports: [Pages],
})
export class WebModule {}
