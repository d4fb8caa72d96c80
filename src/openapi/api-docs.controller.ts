import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { NestContainer } from '@nestjs/core/injector/container';
import { ApiExcludeController, OpenAPIObject } from '@nestjs/swagger';
import type { Response } from 'express';
import { dirname, join } from 'node:path';
import { Roles, ROLES } from '../auth/roles';
import { openApiDocument } from './openapi-document';

const UI_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css', 'swagger-ui-bundle.js': 'text/javascript', 'swagger-ui-standalone-preset.js': 'text/javascript',
};
const uiDir = () => dirname(require.resolve('swagger-ui-dist/package.json'));

/** The API document, for signed-in users: Swagger UI at /api/docs, the JSON at /api/docs-json. */
@ApiExcludeController()
@Controller('api')
@Roles(...ROLES)
export class ApiDocsController {
  private document?: OpenAPIObject;

  constructor(private readonly moduleRef: ModuleRef, private readonly adapterHost: HttpAdapterHost) {}

  @Get('docs-json')
  json(): OpenAPIObject {
    // Built from this application's own routes once, on first ask (the routes do not change while it runs).
    if (!this.document) {
      const container = (this.moduleRef as unknown as { container: NestContainer }).container;
      this.document = openApiDocument({
        container, config: container.applicationConfig, getHttpAdapter: () => this.adapterHost.httpAdapter,
      } as never);
    }
    return this.document;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fieldwork API</title>
<link rel="stylesheet" href="/api/docs/ui/swagger-ui.css"></head><body><div id="swagger-ui"></div>
<script src="/api/docs/ui/swagger-ui-bundle.js"></script><script src="/api/docs/ui/init.js"></script></body></html>`;
  }

  @Get('docs/ui/:file')
  ui(@Param('file') file: string, @Res() res: Response): void {
    if (file === 'init.js') {
      res.type('text/javascript').send(`SwaggerUIBundle({ url: '/api/docs-json', dom_id: '#swagger-ui' });`);
      return;
    }
    if (!UI_FILES[file]) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    res.type(UI_FILES[file]).sendFile(join(uiDir(), file));
  }
}
