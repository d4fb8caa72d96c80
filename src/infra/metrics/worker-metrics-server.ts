import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, Server } from 'node:http';
import { AppConfig } from '../config/app-config';
import { metricsAccess } from './metrics-access';
import { MetricsRegistry } from './metrics-registry';

/**
 * A worker process has no HTTP service, so with METRICS_PORT set it serves its own
 * GET /metrics (same bearer token): its jobs by queue and outcome, their durations, its pool.
 * Prometheus scrapes each worker; queue depth comes from the HTTP service's /metrics.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;

  constructor(private readonly config: AppConfig, private readonly metrics: MetricsRegistry) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.METRICS_PORT) return;
    const registry = this.metrics.withProcessMetrics().registry;
    this.server = createServer((req, res) => {
      const access = metricsAccess(this.config.METRICS_TOKEN, req.headers.authorization);
      if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://x').pathname !== '/metrics' || access === 'off') {
        res.writeHead(404).end();
      } else if (access === 'denied') {
        res.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end();
      } else {
        registry.metrics().then((text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
          () => res.writeHead(500).end());
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(this.config.METRICS_PORT, resolve));
    new Logger('Metrics').log(`Worker metrics at http://localhost:${this.config.METRICS_PORT}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
