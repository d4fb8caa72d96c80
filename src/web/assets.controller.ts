import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { Public } from '../auth/roles';
import { NHSUK_DIST } from './pages';

const ASSETS = join(NHSUK_DIST, 'nhsuk', 'assets');

/** The NHS.UK frontend's stylesheet, script and images, served from the installed package. */
@Controller('assets')
@Public()
export class AssetsController {
  @Get('nhsuk-frontend.min.css')
  css(@Res() res: Response) {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.sendFile(join(NHSUK_DIST, 'nhsuk', 'nhsuk-frontend.min.css'));
  }

  @Get('images/:file')
  image(@Param('file') file: string, @Res() res: Response) {
    const path = normalize(join(ASSETS, 'images', file));
    if (!path.startsWith(join(ASSETS, 'images')) || !existsSync(path)) throw new NotFoundException('No such image');
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.sendFile(path);
  }

  @Get('manifest.json')
  manifest(@Res() res: Response) {
    res.sendFile(join(ASSETS, 'manifest.json'));
  }
}
