import { Module } from '@nestjs/common';
import { AreasModule } from './areas/areas.module';
import { AuditModule } from './audit/audit.module';
import { DeathsModule } from './deaths/deaths.module';
import { HelplineModule } from './helpline/helpline.module';
import { LocalReportsModule } from './local-reports/local-reports.module';
import { MailingsModule } from './mailings/mailings.module';
import { QuestionnairesModule } from './questionnaires/questionnaires.module';
import { ReportsModule } from './reports/reports.module';
import { ResponsesModule } from './responses/responses.module';
import { ResultsModule } from './results/results.module';
import { RetentionModule } from './retention/retention.module';
import { SamplesModule } from './samples/samples.module';
import { SurveysModule } from './surveys/surveys.module';
import { TrustsModule } from './trusts/trusts.module';
import { UsersModule } from './users/users.module';

/** The domain modules, shared by the HTTP app, the workers and the CLI. */
const DOMAIN_MODULES = [SurveysModule, TrustsModule, SamplesModule, QuestionnairesModule, MailingsModule, DeathsModule,
  ResponsesModule, HelplineModule, ReportsModule, ResultsModule, UsersModule, AuditModule, RetentionModule, AreasModule,
  LocalReportsModule];

@Module({ imports: DOMAIN_MODULES, exports: DOMAIN_MODULES })
export class DomainModule {}
