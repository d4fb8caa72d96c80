import { Controller, Get, Header, Param, Post, Query, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { Audited } from '../audit/audited';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import type {} from 'multer';
import { unlink } from 'node:fs/promises';
import { Roles } from '../auth/roles';
import { assertTrustScope } from '../auth/trust-scope';
import { DomainError } from '../infra/errors/domain-error';
import { SampleFilesService } from './sample-files.service';
import { SampleImportService } from './sample-import.service';
import { reportCsv, SampleFileReport } from './sample-report';
import { csvDownload, wantsCsv } from '../infra/http/csv-response';

@Controller('api/surveys/:survey')
export class SamplesController {
  constructor(
    private readonly importer: SampleImportService,
    private readonly files: SampleFilesService,
  ) {}

  /** A trust's sample file (multipart field `file`, CSV or .xlsx); answers with the validation report. */
  @Post('trusts/:trust/sample-files')
  @Roles('coordinator', 'trust')
  @Audited('sample.import')
  @UseInterceptors(FileInterceptor('file'))
  async upload(
    @Param('survey') survey: string,
    @Param('trust') trust: string,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Req() req: Request,
  ): Promise<SampleFileReport> {
    try {
      assertTrustScope(req.principal, trust);
      if (!file) throw new DomainError('validation_failed', 'Attach the sample file in the multipart field "file"', [{ where: 'file', message: 'missing' }]);
      const fileId = await this.importer.import({
        surveyCode: survey, trustCode: trust, path: file.path, fileName: file.originalname, uploadedBy: req.principal!.id,
      });
      return await this.files.report(fileId);
    } finally {
      if (file) await unlink(file.path).catch(() => undefined);
    }
  }

  @Get('trusts/:trust/sample-files')
  @Roles('coordinator', 'trust')
  async list(@Param('survey') survey: string, @Param('trust') trust: string, @Req() req: Request) {
    assertTrustScope(req.principal, trust);
    return { files: await this.files.list(survey, trust) };
  }

  /** The report as JSON, or as CSV with ?format=csv or Accept: text/csv. */
  @Get('trusts/:trust/sample-files/:id')
  @Roles('coordinator', 'trust')
  @Audited('sample.report')
  async report(
    @Param('survey') survey: string, @Param('trust') trust: string, @Param('id') id: string,
    @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response,
  ): Promise<SampleFileReport | string> {
    assertTrustScope(req.principal, trust);
    const report = await this.files.report(id, { surveyCode: survey, trustCode: trust });
    return wantsCsv(req, format) ? csvDownload(res, `sample-report-${trust}-${report.uploadedAt.slice(0, 10)}.csv`, reportCsv(report)) : report;
  }

  @Get('sample')
  @Roles('coordinator')
  status(@Param('survey') survey: string) {
    return this.files.status(survey);
  }

  @Post('sample/lock')
  @Audited('sample.lock')
  @Roles('coordinator')
  @Header('Cache-Control', 'no-store')
  lock(@Param('survey') survey: string) {
    return this.files.lock(survey);
  }
}
