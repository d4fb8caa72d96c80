import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsRegistry } from '../infra/metrics/metrics-registry';

/**
 * Times every request, labelled by the route's template (/s/:code, never /s/<an access code>);
 * a request no route matched is "unmatched", so scanners cannot grow the label set.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsRegistry) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    // Nest mounts this middleware as a catch-all route of its own: still that route at the end means no route matched.
    const ownRoute: unknown = req.route;
    res.once('finish', () => {
      const template = req.route !== ownRoute ? (req.route as { path?: unknown } | undefined)?.path : undefined;
      this.metrics.httpDuration.observe({
        method: req.method,
        route: typeof template === 'string' ? `${req.baseUrl}${template}` : 'unmatched',
        status_class: `${Math.floor(res.statusCode / 100)}xx`,
      }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  }
}
