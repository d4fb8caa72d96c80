import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import { OUT_OF_BASE, percent } from '../reports/rates';
import { frequencies, trend } from '../results/method';
import { CommentsService } from '../results/comments/comments.service';
import { ResultsAccess } from '../results/results-access';
import { ResultsService, type SurveyResults } from '../results/results.service';
import { SurveysService } from '../surveys/surveys.service';
import { buildLocalReport, type LocalReport, type ReportScope, type ResponseRate, type SharedFigures } from './local-report';
import { localReportPdf } from './local-report-pdf';
import { localReportXlsx } from './local-report-xlsx';

export type ReportFormat = 'pdf' | 'xlsx';

/** The coordinator at the console: results:report, and the workers rendering a results:reports run a coordinator started. */
export const CONSOLE: Principal = { id: 'cli', role: 'coordinator' };

interface RateRow { trust: string; icb: string | null; alliance: string | null; outcome: number; n: number }

/**
 * Response-rate counts are read once per state of the results and at most once a minute per
 * process: a run of two hundred reports reads them once, not two hundred times.
 */
const RATES_TTL_MS = 60_000;

/**
 * Local reports (national, trust, ICB, Cancer Alliance): one model from the results figures,
 * rendered as JSON, PDF or XLSX. Whoever asks, ResultsAccess decides first. Figures shared by
 * every report of a survey (frequencies for all organisations, the trend) are worked out once
 * per state of the results, so a run of every report costs one pass, not one per report.
 */
@Injectable()
export class LocalReportsService {
  private readonly shared = new WeakMap<SurveyResults, Promise<SharedFigures>>();
  private readonly rates = new Map<string, { at: number; fingerprint: string; rows: Promise<RateRow[]> }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly results: ResultsService,
    private readonly surveys: SurveysService,
    private readonly access: ResultsAccess,
    private readonly commentsSource: CommentsService,
  ) {}

  /** The report for scope, once ResultsAccess allows principal (CONSOLE for the command line and the workers it starts). */
  async report(surveyCode: string, scope: ReportScope, principal: Principal): Promise<LocalReport> {
    const survey = await this.surveys.get(surveyCode);
    await this.access.assertMaySee(survey, principal, scope.level === 'trust' ? { trust: scope.code } : {});
    const r = await this.results.results(survey.code);
    const [shared, rows, name] = await Promise.all([this.sharedFigures(r), this.rateRows(survey.id, r.fingerprint), this.nameOf(scope)]);
    const responseRate = rateOf(rows, scope);
    if (scope.level !== 'national' && responseRate.sampled === 0) {
      const what = { trust: 'trust', icb: 'ICB', alliance: 'Cancer Alliance' }[scope.level];
      throw new DomainError('not_found', `No patient of this survey belongs to that ${what}: check the code (trusts RXX, ICBs QXX, Cancer Alliances EXX)`,
        [{ where: scope.level, message: 'not found' }]);
    }
    return buildLocalReport(r, shared, scope, name, responseRate, scope.level === 'trust' ? await this.commentsSource.forTrust(survey.code, scope.code) : []);
  }

  async render(report: LocalReport, format: ReportFormat): Promise<Buffer> {
    return format === 'pdf' ? localReportPdf(report) : localReportXlsx(report);
  }

  /** Every report of the survey with respondents: national, then each trust, ICB and Cancer Alliance. */
  async scopesWithRespondents(surveyCode: string): Promise<ReportScope[]> {
    const r = await this.results.results(surveyCode);
    return [
      { level: 'national' as const },
      ...r.respondents.trusts.map((code) => ({ level: 'trust' as const, code })),
      ...r.respondents.icbs.map((code) => ({ level: 'icb' as const, code })),
      ...r.respondents.alliances.map((code) => ({ level: 'alliance' as const, code })),
    ];
  }

  private sharedFigures(r: SurveyResults): Promise<SharedFigures> {
    let found = this.shared.get(r);
    if (!found) {
      found = (async () => {
        const previous = r.settings.previousSurvey ? await this.results.results(r.settings.previousSurvey).catch(() => null) : null;
        return {
          frequencies: r.questions.frequency.map((q) => frequencies(q, r.respondents, r.settings)),
          trend: previous ? trend(r.scores, previous.scores) : null,
        };
      })();
      this.shared.set(r, found);
      found.catch(() => this.shared.delete(r));
    }
    return found;
  }

  private rateRows(surveyId: string, fingerprint: string): Promise<RateRow[]> {
    const cached = this.rates.get(surveyId);
    if (cached && cached.fingerprint === fingerprint && Date.now() - cached.at < RATES_TTL_MS) return cached.rows;
    const rows: Promise<RateRow[]> = this.dataSource.query(
      `SELECT p.trust_code AS trust, p.icb_code AS icb, p.cancer_alliance_code AS alliance, o.outcome, count(*)::int AS n
       FROM patient_outcomes o JOIN patients p ON p.id = o.patient_id
       WHERE o.survey_id = $1 GROUP BY 1, 2, 3, 4`, [surveyId]);
    this.rates.set(surveyId, { at: Date.now(), fingerprint, rows });
    rows.catch(() => this.rates.delete(surveyId));
    return rows;
  }

  private async nameOf(scope: ReportScope): Promise<string> {
    if (scope.level === 'national') return 'England';
    const table = { trust: 'trusts', icb: 'area_icbs', alliance: 'area_alliances' }[scope.level];
    const [row] = await this.dataSource.query(`SELECT name FROM ${table} WHERE code = $1`, [scope.code]);
    return row?.name ?? scope.code;
  }
}

/** The response rate as the response-rate reports define it, over the scope's patients (ICB and Alliance: where they live). */
export function rateOf(rows: readonly RateRow[], scope: ReportScope): ResponseRate {
  const inScope = (x: RateRow) => scope.level === 'national' || (scope.level === 'trust' ? x.trust : scope.level === 'icb' ? x.icb : x.alliance) === scope.code;
  let sampled = 0, out = 0, responded = 0;
  for (const x of rows) {
    if (!inScope(x)) continue;
    sampled += x.n;
    if ((OUT_OF_BASE as readonly number[]).includes(x.outcome)) out += x.n;
    if (x.outcome === 1) responded += x.n;
  }
  const eligible = sampled - out;
  return { sampled, eligible, responded, rate: percent(responded, eligible) };
}
