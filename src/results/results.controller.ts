import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { csvDownload, wantsCsv } from '../infra/http/csv-response';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { breakdownCsv, frequenciesCsv, leagueCsv, scoresCsv, trendCsv } from './results-report';
import { ResultsService } from './results.service';

/**
 * Results as JSON, or CSV with ?format=csv (or Accept: text/csv). Every role may ask: a helpline
 * or trust user on the survey's pre-release access list sees what a coordinator does until
 * publication, so ResultsAccess (through ResultsService) is the gate, not the route. Each view
 * is audited, which is how every pre-publication view is recorded.
 */
@Controller('api/surveys/:survey/results')
@Roles('coordinator', 'trust', 'helpline')
export class ResultsController {
  constructor(private readonly results: ResultsService) {}

  @Get('scores')
  @Audited('results.scores')
  async scores(@Param('survey') survey: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const r = await this.results.scores(survey, req.principal!);
    return wantsCsv(req, format) ? csvDownload(res, `scores-${r.survey}.csv`, scoresCsv(r)) : r;
  }

  @Get('breakdown')
  @Audited('results.breakdown')
  async breakdown(@Param('survey') survey: string, @Query('by') by: string | undefined, @Query('trust') trust: string | undefined,
    @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const r = await this.results.breakdown(survey, by ?? '', trust, req.principal!);
    return wantsCsv(req, format) ? csvDownload(res, `breakdown-${r.by}-${r.survey}.csv`, breakdownCsv(r)) : r;
  }

  @Get('frequencies')
  @Audited('results.frequencies')
  async frequencies(@Param('survey') survey: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const r = await this.results.frequencies(survey, req.principal!);
    return wantsCsv(req, format) ? csvDownload(res, `frequencies-${r.survey}.csv`, frequenciesCsv(r)) : r;
  }

  @Get('trend')
  @Audited('results.trend')
  async trend(@Param('survey') survey: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const r = await this.results.trend(survey, req.principal!);
    return wantsCsv(req, format) ? csvDownload(res, `trend-${r.survey}.csv`, trendCsv(r)) : r;
  }

  @Get('league')
  @Audited('results.league')
  async league(@Param('survey') survey: string, @Query('format') format: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const r = await this.results.league(survey, req.principal!);
    return wantsCsv(req, format) ? csvDownload(res, `league-${r.survey}.csv`, leagueCsv(r)) : r;
  }
}
