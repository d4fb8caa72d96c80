import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { Audited } from '../audit/audited';
import type { Response } from 'express';
import { Roles } from '../auth/roles';
import { PacksService } from './packs.service';

@Controller('api/patients')
export class PacksController {
  constructor(private readonly packs: PacksService) {}

  /** One pack as a PDF for a reprint; `?format=large-print` for the 16 pt version. */
  @Get(':ref/pack/:step')
  @Roles('coordinator', 'helpline')
  @Audited('patient.pack')
  async pack(
    @Param('ref') ref: string, @Param('step') step: string, @Query('format') format: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const pack = await this.packs.patientPack(ref, step, format === 'large-print');
    res.type('application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="pack-${pack.reference}-${step}.pdf"`);
    res.setHeader('X-Page-Count', String(pack.pages));
    res.setHeader('Cache-Control', 'no-store');
    return new StreamableFile(pack.pdf);
  }
}
