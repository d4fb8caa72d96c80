import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { Public } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import { TEMPLATES_DIR } from '../infra/paths';
import { NHSUK_DIST } from './pages';

const ASSETS = join(NHSUK_DIST, 'nhsuk', 'assets');

/**
 * The stylesheet without its @font-face rules, which fetch Frutiger from assets.nhs.uk: pages
 * make no third-party requests (a patient's visit is nobody else's business, and the service
 * also runs where there is no internet), and text falls back to Arial as the NHS font stack intends.
 */
let stylesheet: string | undefined;
const css = () => (stylesheet ??= readFileSync(join(NHSUK_DIST, 'nhsuk', 'nhsuk-frontend.min.css'), 'utf8').replace(/@font-face\{[^}]*\}/g, ''));

/** The NHS.UK frontend's stylesheet, script and images, served from the installed package. */
@Controller('assets')
@Public()
export class AssetsController {
  @Get('nhsuk-frontend.min.css')
  css(@Res() res: Response) {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('text/css').send(css());
  }

  /** The service's few additions (the 0 to 10 scale's layout), after the frontend's stylesheet. */
  @Get('fieldwork.css')
  ownCss(@Res() res: Response) {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('text/css').sendFile(join(TEMPLATES_DIR, 'styles', 'fieldwork.css'));
  }

  @Get('images/:file')
  image(@Param('file') file: string, @Res() res: Response) {
    const path = normalize(join(ASSETS, 'images', file));
    if (!path.startsWith(join(ASSETS, 'images')) || !existsSync(path)) throw new DomainError('not_found', 'No such image');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.sendFile(path);
  }

  @Get('manifest.json')
  manifest(@Res() res: Response) {
    res.sendFile(join(ASSETS, 'manifest.json'));
  }
}
