import { Controller, Get, Param, Post, Query, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import type {} from 'multer';
import { unlink } from 'node:fs/promises';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { assertTrustScope } from '../auth/trust-scope';
import { DomainError } from '../infra/errors/domain-error';
import { ReportsService } from '../reports/reports.service';
import { SampleFilesService } from '../samples/sample-files.service';
import { SampleImportService } from '../samples/sample-import.service';
import { SurveysService } from '../surveys/surveys.service';
import { fieldErrors, Pages } from './pages';
import { pageSurvey } from './surveys';

/** A trust's pages: upload its sample file, read the validation report, see its response rate. */
@Controller('trust')
@Roles('trust', 'coordinator')
export class TrustPages {
  constructor(
    private readonly importer: SampleImportService,
    private readonly files: SampleFilesService,
    private readonly reports: ReportsService,
    private readonly surveys: SurveysService,
    private readonly pages: Pages,
  ) {}

  @Get()
  home(@Query('survey') surveyCode: string | undefined, @Query('trust') trust: string | undefined, @Req() req: Request, @Res() res: Response) {
    return this.show(req, res, surveyCode, trust);
  }

  @Post('upload')
  @Audited('sample.import')
  @UseInterceptors(FileInterceptor('file'))
  async upload(@Query('survey') surveyCode: string | undefined, @Query('trust') trustParam: string | undefined,
    @UploadedFile() file: Express.Multer.File | undefined, @Req() req: Request, @Res() res: Response) {
    try {
      const { survey } = await pageSurvey(this.surveys, surveyCode);
      const trust = this.trustOf(req, trustParam);
      if (!file) throw new DomainError('validation_failed', 'Choose the sample file to upload', [{ where: 'file', message: 'Choose the sample file to upload' }]);
      const fileId = await this.importer.import({ surveyCode: survey.code, trustCode: trust, path: file.path, fileName: file.originalname, uploadedBy: req.principal!.id });
      res.redirect(303, `/trust/files/${fileId}?survey=${survey.code}&trust=${trust}`);
    } catch (error) {
      if (!(error instanceof DomainError) || !['validation_failed', 'file_rejected', 'invalid_state'].includes(error.code)) throw error;
      await this.show(req, res, surveyCode, trustParam, { errors: fieldErrors([{ where: 'file', message: error.message }]) }, 400);
    } finally {
      if (file) await unlink(file.path).catch(() => undefined);
    }
  }

  @Get('files/:id')
  @Audited('sample.report')
  async report(@Param('id') id: string, @Query('survey') surveyCode: string | undefined, @Query('trust') trustParam: string | undefined,
    @Req() req: Request, @Res() res: Response) {
    const { survey } = await pageSurvey(this.surveys, surveyCode);
    const r = await this.files.report(id, { surveyCode: survey.code, trustCode: this.trustOf(req, trustParam) });
    this.pages.render(res, 'trust-report.njk', { title: r.status === 'accepted' ? 'File accepted' : 'File rejected', r, width: 'full' });
  }

  /** The trust's page: the upload form, its files, its response rate beside the national one. */
  private async show(req: Request, res: Response, surveyCode: string | undefined, trustParam: string | undefined, extra: Record<string, unknown> = {}, status = 200) {
    const { survey, surveys } = await pageSurvey(this.surveys, surveyCode);
    const trust = this.trustOf(req, trustParam);
    const [files, rates] = await Promise.all([this.files.list(survey.code, trust), this.reports.responseRates(survey.code, req.principal!)]);
    const own = rates.trusts.find((r) => r.code === trust);
    this.pages.render(res, 'trust.njk', {
      title: 'Sample and response rate', survey, surveys, chooserAction: '/trust', chooserTrust: req.principal!.role === 'coordinator' ? trust : null, trust, asCoordinator: req.principal!.role === 'coordinator', width: 'full',
      locked: survey.sampleLockedAt?.toISOString().slice(0, 10),
      files: files.map((f) => ({ ...f, when: f.uploadedAt.slice(0, 16).replace('T', ' ') })).reverse(),
      rate: own ? [own, rates.national] : null, ...extra,
    }, status);
  }

  /** A trust user's own trust; a coordinator names one. */
  private trustOf(req: Request, trust: string | undefined): string {
    const principal = req.principal!;
    if (principal.role === 'trust') {
      if (trust) assertTrustScope(principal, trust);
      return principal.trustCode!;
    }
    if (!trust) throw new DomainError('validation_failed', 'Choose a trust (?trust=RXX)');
    return trust;
  }
}
