import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import { parseSurveySettings } from '../surveys/survey-settings';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import {
  breakdown, BREAKDOWNS, type BreakdownBy, frequencies, leagueTable, prepareRespondents, type PreparedRespondents,
  questionScores, type QuestionScores, respondentsPerTrust, type ResultsSettings, trend,
} from './method';
import { loadRespondents } from './respondents';
import {
  BreakdownReport, FrequenciesReport, LeagueReport, scoresReport, ScoresReport, shown, TrendReport, withoutOtherTrusts,
} from './results-report';
import { surveyQuestions, type SurveyQuestions } from './survey-questions';

/** Everything worked out for one survey from one state of its answers. */
export interface SurveyResults {
  survey: Pick<Survey, 'id' | 'code' | 'name'>;
  settings: ResultsSettings & { previousSurvey?: string };
  questions: SurveyQuestions;
  respondents: PreparedRespondents;
  scores: QuestionScores[];
  /** What the figures were computed from; they are worked out again when it changes. */
  fingerprint: string;
}

/**
 * Survey results (RESULTS-METHOD.md) from the stored answers: scores with case-mix adjustment
 * and expected ranges, frequencies, breakdowns, change since the previous survey and the
 * league table. A national survey takes seconds to fit, so each process keeps the latest
 * figures per survey and reuses them until an answer, a respondent's grouping variables or the
 * settings change. Trust users see their own trust and the national figures only.
 */
@Injectable()
export class ResultsService {
  private readonly computed = new Map<string, Promise<SurveyResults>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
  ) {}

  async scores(surveyCode: string, principal: Principal): Promise<ScoresReport> {
    return scoresReport(await this.results(surveyCode), trustOf(principal));
  }

  /**
   * One trust's scores and the national ones (its results page): the same figures as scores(),
   * cut to one trust for everyone. A trust user may ask only for their own trust.
   */
  async trustScores(surveyCode: string, trust: string, principal: Principal): Promise<ScoresReport> {
    const own = trustOf(principal);
    if (own && trust !== own) throw new DomainError('forbidden', "You can only see your own trust's results and the national figures");
    return scoresReport(await this.results(surveyCode), trust);
  }

  async breakdown(surveyCode: string, by: string, trust: string | undefined, principal: Principal): Promise<BreakdownReport> {
    const r = await this.results(surveyCode);
    if (!(BREAKDOWNS as readonly string[]).includes(by)) {
      throw new DomainError('validation_failed', `Choose a breakdown: ${BREAKDOWNS.join(', ')}`, [{ where: 'by', message: 'unknown' }]);
    }
    const own = trustOf(principal);
    if (own && trust && trust !== own) throw new DomainError('forbidden', "You can only see your own trust's results and the national figures");
    if (trust && !r.respondents.trusts.includes(trust)) {
      throw new DomainError('not_found', 'No trust in this survey has respondents under that code: check the trust code', [{ where: 'trust', message: 'not found' }]);
    }
    return shown({ survey: r.survey.code, ...breakdown(by as BreakdownBy, r.questions.evaluative, r.respondents, r.settings, trust) });
  }

  async frequencies(surveyCode: string, principal: Principal): Promise<FrequenciesReport> {
    const r = await this.results(surveyCode);
    const own = trustOf(principal);
    return shown({
      survey: r.survey.code,
      questions: r.questions.frequency.map((q) => withoutOtherTrusts(frequencies(q, r.respondents, r.settings), own)),
    });
  }

  async trend(surveyCode: string, principal: Principal): Promise<TrendReport> {
    const r = await this.results(surveyCode);
    const previous = await this.previous(r);
    const own = trustOf(principal);
    return shown({
      survey: r.survey.code, previousSurvey: previous.survey.code,
      questions: trend(r.scores, previous.scores).map((t) => withoutOtherTrusts(t, own)),
    });
  }

  /** Every trust ranked: coordinators only (a trust user sees their own trust's results instead). */
  async league(surveyCode: string, principal: Principal): Promise<LeagueReport> {
    if (principal.role !== 'coordinator') throw new DomainError('forbidden', 'The league table is for coordinators: your own results are on your trust\'s results page');
    const r = await this.results(surveyCode);
    const previous = r.settings.previousSurvey ? await this.previous(r) : null;
    const trends = previous ? trend(r.scores, previous.scores) : null;
    return shown({ survey: r.survey.code, previousSurvey: previous?.survey.code ?? null, ...leagueTable(r.scores, respondentsPerTrust(r.respondents), trends, r.settings) });
  }

  /** The survey's figures, worked out once per state of its data (concurrent callers share one computation). */
  async results(surveyCode: string): Promise<SurveyResults> {
    const survey = await this.surveys.get(surveyCode);
    const fingerprint = await this.fingerprint(survey);
    const cached = this.computed.get(survey.id);
    if (cached) {
      const done = await cached.catch(() => undefined);
      if (done && done.fingerprint === fingerprint) return done;
    }
    const work = this.compute(survey, fingerprint);
    this.computed.set(survey.id, work);
    work.catch(() => this.computed.delete(survey.id));
    return work;
  }

  private async compute(survey: Survey, fingerprint: string): Promise<SurveyResults> {
    const settings = parseSurveySettings(survey.settings);
    const questions = surveyQuestions(settings.questionnaire);
    const respondents = prepareRespondents(await loadRespondents(this.dataSource, survey.id, questions));
    const resultsSettings = { suppressionThreshold: settings.suppressionThreshold, previousSurvey: settings.previousSurvey };
    return {
      survey: { id: survey.id, code: survey.code, name: survey.name }, settings: resultsSettings, questions, respondents,
      scores: questions.evaluative.map((q) => questionScores(q, respondents, resultsSettings)), fingerprint,
    };
  }

  private async fingerprint(survey: Survey): Promise<string> {
    const [row] = await this.dataSource.query(
      `SELECT (SELECT count(*) || '/' || coalesce(max(id), 0) FROM responses WHERE survey_id = $1) AS responses,
              (SELECT coalesce(max(groups_derived_at)::text, '') FROM patients WHERE survey_id = $1) AS derived`, [survey.id]);
    return `${row.responses}|${row.derived}|${JSON.stringify(survey.settings)}`;
  }

  private async previous(r: SurveyResults): Promise<SurveyResults> {
    if (!r.settings.previousSurvey) {
      throw new DomainError('invalid_state', 'This survey names no previous survey: set previousSurvey in its settings to compare with last year');
    }
    return this.results(r.settings.previousSurvey);
  }
}

const trustOf = (principal: Principal): string | null => (principal.role === 'trust' ? principal.trustCode ?? null : null);
