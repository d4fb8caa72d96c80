import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { Audited } from '../audit/audited';
import type { Request, Response } from 'express';
import { csvDownload, wantsCsv } from '../infra/http/csv-response';
import { Roles } from '../auth/roles';
import { DomainError, NotFoundError } from '../infra/errors/domain-error';
import { groupedResponseRatesCsv, overallRatingCsv, responseRatesCsv, responsesOverTimeCsv } from './report-csv';
import { responseChartSvg } from './response-chart';
import { ReportsService } from './reports.service';

/** A query parameter given once, as text: ?by=a&by=b is a mistake, not two groupings. */
function oneValue(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new DomainError('validation_failed', `Give ${where} once`, [{ where, message: 'given more than once' }]);
  return value;
}

/** Reports as JSON, or as CSV with ?format=csv (or Accept: text/csv). Trust users see their own trust and the national figures. */
@Controller('api/surveys/:survey/reports')
@Roles('coordinator', 'trust')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('response-rates')
  @Audited('report.response-rates')
  async responseRates(@Param('survey') survey: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response,
    @Query('by') by?: string, @Query('trust') trust?: string) {
    if (by !== undefined) {
      const grouped = await this.reports.responseRatesByGroup(survey, oneValue(by, 'by'), req.principal!, trust === undefined ? undefined : oneValue(trust, 'trust'));
      return wantsCsv(req, format) ? csvDownload(res, `response-rates-by-${grouped.by}-${grouped.survey}.csv`, groupedResponseRatesCsv(grouped)) : grouped;
    }
    const report = await this.reports.responseRates(survey, req.principal!);
    return wantsCsv(req, format) ? csvDownload(res, `response-rates-${report.survey}.csv`, responseRatesCsv(report)) : report;
  }

  @Get('responses-over-time')
  @Audited('report.responses-over-time')
  async overTime(@Param('survey') survey: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const report = await this.reports.responsesOverTime(survey, req.principal!);
    return wantsCsv(req, format) ? csvDownload(res, `responses-over-time-${report.survey}.csv`, responsesOverTimeCsv(report)) : report;
  }

  /** The chart as SVG: national, or ?trust=RXX. */
  @Get('responses-over-time.svg')
  @Audited('report.chart')
  async chart(@Param('survey') survey: string, @Query('trust') trust: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const report = await this.reports.responsesOverTime(survey, req.principal!);
    const series = report.series.find((s) => s.code === (trust ?? 'national'));
    if (!series) throw new NotFoundError('No trust in this report has that code: check the trust code', 'trust');
    res.type('image/svg+xml');
    res.setHeader('Content-Disposition', `inline; filename="responses-${report.survey}-${series.code}.svg"`);
    return responseChartSvg(report.survey, series);
  }

  @Get('overall-rating')
  @Audited('report.overall-rating')
  async overallRating(@Param('survey') survey: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const report = await this.reports.overallRating(survey, req.principal!);
    return wantsCsv(req, format) ? csvDownload(res, `overall-rating-${report.survey}.csv`, overallRatingCsv(report)) : report;
  }
}
