import type { INestApplicationContext } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SESSION_COOKIE } from '../auth/token-authenticator';
import { describeDtoSchemas } from './dto-schemas';

/** Only the API is documented: the pages are HTML for people, /health and /metrics are for machines. */
export const DOCUMENTED_PREFIX = '/api/';
const NOT_DOCUMENTED = /^\/api\/docs/;

type SwaggerApp = Parameters<typeof SwaggerModule.createDocument>[0];

/** The OpenAPI document of every /api route, from the controllers' decorators and their DTO classes. */
export function openApiDocument(app: INestApplicationContext): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Fieldwork API')
    .setDescription('The CPES fieldwork back-office API. Authenticate with a bearer token (a personal API token or the operator token) or the session cookie from signing in.')
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addBearerAuth()
    .addCookieAuth(SESSION_COOKIE)
    .build();
  const document = SwaggerModule.createDocument(app as SwaggerApp, config, {
    operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  document.paths = Object.fromEntries(Object.entries(document.paths)
    .filter(([path]) => path.startsWith(DOCUMENTED_PREFIX) && !NOT_DOCUMENTED.test(path))
    .sort(([a], [b]) => a.localeCompare(b)));
  document.security = [{ bearer: [] }, { cookie: [] }];
  describeDtoSchemas(document);
  return document;
}
