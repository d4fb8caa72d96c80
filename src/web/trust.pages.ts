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
import { SurveysService } from '../surveys/surveys.service';
import { csvDownload } from '../infra/http/csv-response';
import { EXCLUSIONS_IN_ORDER } from '../samples/sample-format';
import { exclusionsCsv, SampleExclusionsService } from '../samples/sample-exclusions';
import { SampleImportService } from '../samples/sample-import.service';
import { longDate, longDateTime } from '../infra/dates';
import { fieldErrors, Pages } from './pages';
import { pageSurvey } from './surveys';

/** A trust's pages: upload its sample file, read the validation report, see its response rate. */
@Controller('trust')
@Roles('trust', 'coordinator')
export class TrustPages {
  constructor(
    private readonly importer: SampleImportService,
    private readonly exclusions: SampleExclusionsService,
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
    const scope = { surveyCode: survey.code, trustCode: this.trustOf(req, trustParam) };
    const r = await this.files.report(id, scope);
    const excludedRows = r.status === 'accepted' ? await this.exclusions.list(id, scope) : [];
    this.pages.render(res, 'trust-report.njk', {
      title: r.status === 'accepted' ? 'File accepted' : 'File rejected', r, width: 'full', uploaded: longDateTime(r.uploadedAt),
      excludedRows, exclusions: EXCLUSIONS_IN_ORDER, excludedCount: Object.values(r.excluded).reduce((n, c) => n + c, 0),
    });
  }

  /** The excluded rows of a file: row number, record number and reason; nothing else about the patient. */
  @Get('files/:id/excluded-rows.csv')
  @Audited('sample.report')
  async excludedCsv(@Param('id') id: string, @Query('survey') surveyCode: string | undefined, @Query('trust') trustParam: string | undefined,
    @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    const { survey } = await pageSurvey(this.surveys, surveyCode);
    const trust = this.trustOf(req, trustParam);
    const rows = await this.exclusions.list(id, { surveyCode: survey.code, trustCode: trust });
    return csvDownload(res, `excluded-rows-${trust}-${survey.code}.csv`, exclusionsCsv(rows));
  }

  /** The trust's page: the upload form, its files, its response rate beside the national one. */
  private async show(req: Request, res: Response, surveyCode: string | undefined, trustParam: string | undefined, extra: Record<string, unknown> = {}, status = 200) {
    const { survey, surveys } = await pageSurvey(this.surveys, surveyCode);
    const trust = this.trustOf(req, trustParam);
    const [files, rates, firstMailing] = await Promise.all([
      this.files.list(survey.code, trust), this.reports.responseRates(survey.code, req.principal!), this.reports.firstMailing(survey.id)]);
    const own = rates.trusts.find((r) => r.code === trust);
    this.pages.render(res, 'trust.njk', {
      title: 'Sample and response rate', survey, surveys, chooserAction: '/trust', chooserTrust: req.principal!.role === 'coordinator' ? trust : null, trust, asCoordinator: req.principal!.role === 'coordinator', width: 'full',
      locked: survey.sampleLockedAt ? longDate(survey.sampleLockedAt) : null,
      files: files.map((f) => ({ ...f, when: longDateTime(f.uploadedAt) })).reverse(),
      // Before the first letter or e-mail has gone a rate would read 0%: it is shown as "–".
      rate: own ? [own, rates.national] : null, mailed: firstMailing !== null, ...extra,
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
