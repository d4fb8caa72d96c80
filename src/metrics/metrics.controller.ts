import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/roles';
import { AppConfig } from '../infra/config/app-config';
import { metricsAccess } from '../infra/metrics/metrics-access';
import { MetricsRegistry } from '../infra/metrics/metrics-registry';

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly config: AppConfig, private readonly metrics: MetricsRegistry) {}

  /** Prometheus text format; needs METRICS_TOKEN as a bearer token, and is absent (404) without one configured. */
  @Public()
  @Get()
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    const access = metricsAccess(this.config.METRICS_TOKEN, authorization);
    if (access === 'off') {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    if (access === 'denied') {
      res.status(401).set('WWW-Authenticate', 'Bearer').type('text/plain').send('Send the metrics token: Authorization: Bearer <METRICS_TOKEN>');
      return;
    }
    const registry = this.metrics.withProcessMetrics().registry;
    res.status(200).type(registry.contentType).send(await registry.metrics());
  }
}
