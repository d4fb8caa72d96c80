import { configOrExit } from './boot';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

export async function startHttp(): Promise<void> {
  const config = configOrExit();
  const app = await NestFactory.create(AppModule, { bufferLogs: false });
  app.enableShutdownHooks();
  await app.listen(config.PORT);
  new Logger('Fieldwork').log(`HTTP service listening on http://localhost:${config.PORT} (health: /health)`);
}

if (require.main === module) void startHttp();
