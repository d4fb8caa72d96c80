import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AuditInterceptor } from './audit/audited';
import { AuthModule } from './auth/auth.module';
import { DomainModule } from './domain.module';
import { HealthModule } from './health/health.module';
import { ErrorsFilter } from './infra/errors/errors.filter';
import { SameOriginGuard } from './infra/http/same-origin.guard';
import { createValidationPipe } from './infra/http/validation';
import { InfraModule } from './infra/infra.module';
import { LoggingModule } from './infra/logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { OpenApiModule } from './openapi/openapi.module';
import { WebModule } from './web/web.module';

/** The HTTP application: API, back-office pages and the patient's online questionnaire. */
@Module({
  imports: [InfraModule, LoggingModule, DomainModule, AuthModule, HealthModule, WebModule, MetricsModule, OpenApiModule],
  providers: [
    { provide: APP_FILTER, useClass: ErrorsFilter },
    { provide: APP_GUARD, useClass: SameOriginGuard },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
})
export class AppModule {}
