import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { ResultsService } from '../results/results.service';
import { SurveysService } from '../surveys/surveys.service';
import { TrustsService } from '../trusts/trusts.service';
import { HOME, Pages } from './pages';
import { bySection, CHART, leagueLines, nationalRows, trustRows, trustSummary, trustsWithRespondents } from './results-view';
import { ResultsEmbargoPageFilter } from './results-embargo.filter';
import { pageSurvey } from './surveys';

/**
 * The results pages: a coordinator's national scores and league table, and one trust's scores
 * read against their expected ranges. The figures come from the results service's cached
 * computation, so a page costs a few queries and a render, never a fit.
 *
 * The pages that show figures carry the survey and trust in their path, so the audit trail
 * records whose results were read; the page is returned rather than sent, so the audit row is
 * written before anything leaves. The short addresses (?survey=, ?trust=, and the trust
 * chooser's form) only redirect.
 *
 * Who may see what is ResultsAccess's (through ResultsService): the routes let in every role,
 * because a trust or helpline user on the survey's pre-release access list sees all of its
 * results before publication, as a coordinator would. A view refused because the results are
 * not published yet says when they will be.
 */
@Controller()
@UseFilters(ResultsEmbargoPageFilter)
export class ResultsPages {
  constructor(
    private readonly results: ResultsService,
    private readonly surveys: SurveysService,
    private readonly trusts: TrustsService,
    private readonly pages: Pages,
  ) {}

  @Get('coordinator/results')
  @Roles('coordinator')
  async nationalOfNewest(@Query('survey') surveyCode: string | undefined, @Res() res: Response) {
    const { survey } = await pageSurvey(this.surveys, surveyCode);
    res.redirect(303, `/coordinator/${encodeURIComponent(survey.code)}/results`);
  }

  @Get('coordinator/:survey/results')
  @Roles('coordinator', 'trust', 'helpline')
  @Audited('results.page.national')
  async national(@Param('survey') surveyCode: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    const survey = await this.surveys.get(surveyCode);
    // The league table is for those who see everything: asked first, so no one else gets half a page.
    const league = await this.results.league(survey.code, req.principal!);
    const [scores, names] = await Promise.all([this.results.scores(survey.code, req.principal!), this.trustNames()]);
    const trusts = trustsWithRespondents(scores, names);
    return this.page(req, res, 'results-national.njk', {
      title: `Results: ${survey.code}`, survey, width: 'full', threshold: scores.threshold, respondents: scores.respondents,
      questions: nationalRows(scores), sections: bySection(scores, nationalRows(scores)), league: leagueLines(league, names), previousSurvey: league.previousSurvey,
      trusts, unranked: trusts.length - league.trusts.length,
      // Every ICB and Cancer Alliance with respondents has a local report.
      icbs: scores.questions[0]?.icbs.map((a) => a.code) ?? [], alliances: scores.questions[0]?.alliances.map((a) => a.code) ?? [],
    });
  }

  /** A trust user's own results; a coordinator names the trust (the national page's chooser sends here). */
  @Get('trust/results')
  @Roles('trust', 'coordinator', 'helpline')
  async trustOfNewest(@Query('survey') surveyCode: string | undefined, @Query('trust') trust: string | undefined, @Req() req: Request, @Res() res: Response) {
    const { survey } = await pageSurvey(this.surveys, surveyCode);
    const code = req.principal!.role === 'trust' ? trust || req.principal!.trustCode : trust;
    if (!code) return res.redirect(303, `/coordinator/${encodeURIComponent(survey.code)}/results`);
    res.redirect(303, `/trust/results/${encodeURIComponent(survey.code)}/${encodeURIComponent(code)}`);
  }

  @Get('trust/results/:survey/:trust')
  @Roles('trust', 'coordinator', 'helpline')
  @Audited('results.page.trust')
  async trust(@Param('survey') surveyCode: string, @Param('trust') code: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    // A trust user naming another trust is refused here, before anything else is looked up.
    const scores = await this.results.trustScores(surveyCode, code, req.principal!);
    const [survey, trust] = await Promise.all([this.surveys.get(surveyCode), this.trusts.get(code)]);
    const rows = trustRows(scores, code);
    return this.page(req, res, 'results-trust.njk', {
      title: `Results: ${trust.name}`, survey, trust, width: 'full',
      // Someone reading a trust that is not their own sees as a coordinator does (a pre-release reader): back to the national results.
      asCoordinator: req.principal!.role !== 'trust' || req.principal!.trustCode !== code,
      threshold: scores.threshold, rows, sections: bySection(scores, rows), summary: trustSummary(rows), chart: CHART,
    });
  }

  private page(req: Request, res: Response, template: string, context: Record<string, unknown>): string {
    res.type('html').setHeader('Cache-Control', 'no-store');
    return this.pages.renderToString(template, { user: req.principal, home: HOME[req.principal!.role], ...context });
  }

  private async trustNames(): Promise<Map<string, string>> {
    return new Map((await this.trusts.list()).map((t) => [t.code, t.name]));
  }
}
