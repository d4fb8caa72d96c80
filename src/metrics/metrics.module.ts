import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';
import { ScrapeGauges } from './scrape-gauges';

/** GET /metrics of the HTTP service: its requests, queue depth, sends, imports, pool. */
@Module({
  controllers: [MetricsController],
  providers: [ScrapeGauges, HttpMetricsMiddleware],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
