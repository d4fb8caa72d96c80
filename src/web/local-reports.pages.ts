import { Controller, Get, Param, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { type ReportScope, rowsBySection, withheldText } from '../local-reports/local-report';
import { LocalReportsService } from '../local-reports/local-reports.service';
import { REPORT_CHART, reportPaths, scoreLines } from './local-report-view';
import { HOME, Pages } from './pages';
import { ResultsEmbargoPageFilter } from './results-embargo.filter';

const LEVEL_TEXT = { national: 'National report', trust: 'Trust report', icb: 'Integrated Care Board report', alliance: 'Cancer Alliance report' } as const;

/**
 * A local report as a page, with its PDF and XLSX to download. Every role may ask; ResultsAccess
 * (inside the service) decides. The page is returned, not sent, so the audit row is written first.
 */
@Controller('reports/:survey')
@UseFilters(ResultsEmbargoPageFilter)
@Roles('coordinator', 'trust', 'helpline')
export class LocalReportsPages {
  constructor(private readonly reports: LocalReportsService, private readonly pages: Pages) {}

  @Get('national')
  @Audited('results.report-page.national')
  national(@Param('survey') survey: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.page(survey, { level: 'national' }, req, res);
  }

  @Get('trust/:trust')
  @Audited('results.report-page.trust')
  trust(@Param('survey') survey: string, @Param('trust') trust: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.page(survey, { level: 'trust', code: trust }, req, res);
  }

  @Get('icb/:area')
  @Audited('results.report-page.icb')
  icb(@Param('survey') survey: string, @Param('area') code: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.page(survey, { level: 'icb', code }, req, res);
  }

  @Get('alliance/:area')
  @Audited('results.report-page.alliance')
  alliance(@Param('survey') survey: string, @Param('area') code: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.page(survey, { level: 'alliance', code }, req, res);
  }

  private async page(survey: string, scope: ReportScope, req: Request, res: Response): Promise<string> {
    const report = await this.reports.report(survey, scope, req.principal!);
    res.type('html').setHeader('Cache-Control', 'no-store');
    return this.pages.renderToString('local-report.njk', {
      user: req.principal, home: HOME[req.principal!.role], width: 'full',
      title: `${report.survey}: ${report.name}`, report, levelText: LEVEL_TEXT[report.level], withheld: withheldText(report.threshold),
      scores: scoreLines(report), chart: REPORT_CHART, paths: reportPaths(report),
      // Questionnaires in parts: scores and answers under the children's and the parents' sections.
      scoreSections: rowsBySection(report, scoreLines(report)), frequencySections: rowsBySection(report, report.frequencies),
    });
  }
}
