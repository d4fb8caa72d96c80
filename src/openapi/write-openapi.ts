import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import { openApiDocument } from './openapi-document';

/**
 * `npm run build` writes openapi.json at the repository root. Preview mode resolves the modules
 * and routes without creating providers, so no database, Redis or configuration is needed.
 */
async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { preview: true, logger: ['error'], abortOnError: false });
  const document = openApiDocument(app);
  const path = join(__dirname, '..', '..', '..', 'openapi.json');
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`openapi.json: ${Object.keys(document.paths).length} paths\n`);
  await app.close();
}

void main().then(() => process.exit(0), (error: Error) => {
  process.stderr.write(`Writing openapi.json failed: ${error.stack}\n`);
  process.exit(1);
});
