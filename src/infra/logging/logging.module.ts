import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { AppConfig } from '../config/app-config';
import { loggablePath, requestId } from './log-redaction';

/** pino-pretty is a development package: without it (a production install), logs stay JSON. */
function prettyStream(): DestinationStream | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pretty = require('pino-pretty') as (o: object) => DestinationStream;
    // In this thread, so lines keep their order with what the service writes to stdout itself.
    return pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  } catch {
    return undefined;
  }
}

export function pinoHttpOptions(config: AppConfig): Options | [Options, DestinationStream] {
  const options: Options = {
    level: config.LOG_LEVEL,
    genReqId: (req: IncomingMessage, res: ServerResponse) => requestId(req, res),
    // Every line a request logs (this one and those logged while serving it) carries requestId.
    customAttributeKeys: { reqId: 'requestId' },
    quietReqLogger: true,
    // Only method, masked path and status: never bodies, query strings or headers (cookies, tokens, referers with codes).
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: loggablePath(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    redact: { paths: ['req.headers', 'res.headers', 'req.body', 'req.query', 'req.params'], remove: true },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: (req) => /^\/(health|metrics)(\/|$)/.test(req.url ?? '') },
  };
  const pretty = config.LOG_FORMAT === 'pretty' || (!config.LOG_FORMAT && config.NODE_ENV === 'development') ? prettyStream() : undefined;
  return pretty ? [options, pretty] : options;
}

/**
 * Structured logs: pino, one JSON object a line (or readable with LOG_FORMAT=pretty), and the
 * HTTP service's request log through pino-http. Nest's Logger writes through it once the entry
 * point calls app.useLogger(app.get(Logger)).
 */
@Module({
  imports: [LoggerModule.forRootAsync({
    inject: [AppConfig],
    useFactory: (config: AppConfig) => ({ pinoHttp: pinoHttpOptions(config) }),
  })],
})
export class LoggingModule {}
