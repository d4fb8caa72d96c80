import { configOrExit } from './boot';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { TokenAuthenticator } from './auth/token-authenticator';
import { stopOnSignals } from './infra/shutdown/stop-on-signals';

export async function startHttp(): Promise<void> {
  const config = configOrExit();
  const app = await NestFactory.create(AppModule, { bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  stopOnSignals(app, config.SHUTDOWN_GRACE_SECONDS);
  await app.listen(config.PORT);
  new Logger('Fieldwork').log(`HTTP service listening on http://localhost:${config.PORT} (health: /health)`);
  // Last, so it is not lost among the start-up logs: where to go, the run's token, the next step.
  const token = app.get(TokenAuthenticator).oneRunToken;
  process.stdout.write([
    '',
    `Fieldwork is running at ${config.PUBLIC_BASE_URL} (sign in at ${config.PUBLIC_BASE_URL}/login).`,
    ...(token ? [
      'Operator token for the API, this run only (set OPERATOR_TOKEN to keep one):',
      `  Authorization: Bearer ${token}`,
    ] : []),
    'Next: add a person with  npm run cli -- user:add --email you@example.nhs.uk --role coordinator',
    '',
  ].join('\n'));
}

if (require.main === module) void startHttp();
