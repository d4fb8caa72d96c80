import { Controller, Get, Param, Res, StreamableFile } from '@nestjs/common';
import type { Response } from 'express';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { OpenedFile, PrintFilesService, printFilePart } from './print-files.service';

/** The print room's files (print files with their manifests, one-off packs), served from the file store. */
@Controller('api/surveys/:survey')
@Roles('coordinator')
export class PrintFilesController {
  constructor(private readonly files: PrintFilesService) {}

  @Get('print-files')
  @Audited('print.files.list')
  async list(@Param('survey') survey: string) {
    return { files: await this.files.list(survey) };
  }

  /** `pdf` or `manifest` of one printed file. */
  @Get('print-files/:id/:part')
  @Audited('print.file.download')
  async printFile(@Param('survey') survey: string, @Param('id') id: string, @Param('part') part: string, @Res({ passthrough: true }) res: Response) {
    return streamed(await this.files.printFile(survey, id, printFilePart(part)), res);
  }

  @Get('one-off-packs/:id/:part')
  @Audited('packs.one-off.download')
  async oneOffPack(@Param('survey') survey: string, @Param('id') id: string, @Param('part') part: string, @Res({ passthrough: true }) res: Response) {
    return streamed(await this.files.oneOffPack(survey, id, printFilePart(part)), res);
  }
}

export function streamed(file: OpenedFile, res: Response): StreamableFile {
  res.setHeader('Cache-Control', 'no-store');
  // A download abandoned half-way releases the object store's connection instead of leaving it paused.
  res.once('close', () => file.body.destroy());
  return new StreamableFile(file.body, { type: file.type, length: file.size, disposition: `attachment; filename="${file.name}"` });
}
