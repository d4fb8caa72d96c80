import { Controller, Get, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import { type LocalReport, reportFileName, type ReportScope } from './local-report';
import { LocalReportsService, type ReportFormat } from './local-reports.service';

const CONTENT_TYPE = { pdf: 'application/pdf', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

/**
 * Local reports as JSON (no format, or format=json), PDF or XLSX. Every role may ask: results
 * access (publication, the pre-release list, a trust user's own trust) is decided by
 * ResultsAccess, not by the route.
 */
@Controller('api/surveys/:survey/results/reports')
@Roles('coordinator', 'trust', 'helpline')
export class LocalReportsController {
  constructor(private readonly reports: LocalReportsService) {}

  @Get('national')
  @Audited('results.report.national')
  national(@Param('survey') survey: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.answer(survey, { level: 'national' }, format, req, res);
  }

  @Get('trust/:trust')
  @Audited('results.report.trust')
  trust(@Param('survey') survey: string, @Param('trust') trust: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.answer(survey, { level: 'trust', code: trust }, format, req, res);
  }

  @Get('icb/:area')
  @Audited('results.report.icb')
  icb(@Param('survey') survey: string, @Param('area') code: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.answer(survey, { level: 'icb', code }, format, req, res);
  }

  @Get('alliance/:area')
  @Audited('results.report.alliance')
  alliance(@Param('survey') survey: string, @Param('area') code: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.answer(survey, { level: 'alliance', code }, format, req, res);
  }

  private async answer(survey: string, scope: ReportScope, format: string | undefined, req: Request, res: Response): Promise<LocalReport | StreamableFile> {
    const wanted = reportFormat(format);
    const report = await this.reports.report(survey, scope, req.principal!);
    if (wanted === 'json') return report;
    const file = await this.reports.render(report, wanted);
    res.setHeader('Cache-Control', 'no-store');
    return new StreamableFile(file, { type: CONTENT_TYPE[wanted], disposition: `attachment; filename="${report.survey}-${reportFileName(scope, wanted)}"` });
  }
}

export function reportFormat(format: string | undefined): ReportFormat | 'json' {
  if (format === undefined || format === '' || format === 'json') return 'json';
  if (format === 'pdf' || format === 'xlsx') return format;
  throw new DomainError('validation_failed', 'Choose a format: pdf, xlsx or json', [{ where: 'format', message: 'unknown' }]);
}
