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
import { surveyAgeBands } from './grouping-variables';
import { loadRespondents } from './respondents';
import { ResultsAccess, type ResultsGrant, type ResultsScope } from './results-access';
import {
  BreakdownReport, FrequenciesReport, LeagueReport, scoresReport, ScoresReport, shown, TrendReport, withoutOtherTrusts, withRespondent,
} from './results-report';
import { surveyQuestionsOf, type SurveyQuestions } from './survey-questions';

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
 * settings change. Who sees what is ResultsAccess's to say: every view asks it first.
 */
@Injectable()
export class ResultsService {
  private readonly computed = new Map<string, Promise<SurveyResults>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly access: ResultsAccess,
  ) {}

  async scores(surveyCode: string, principal: Principal | null): Promise<ScoresReport> {
    const { grant, r } = await this.granted(surveyCode, principal);
    return scoresReport(r, grant.ownTrust);
  }

  /**
   * One trust's scores and the national ones (its results page): the same figures as scores(),
   * cut to one trust for everyone. A trust user may ask only for their own trust.
   */
  async trustScores(surveyCode: string, trust: string, principal: Principal | null): Promise<ScoresReport> {
    const { r } = await this.granted(surveyCode, principal, { trust });
    return scoresReport(r, trust);
  }

  /** The open-data tables (suppressed national, ICB, Cancer Alliance and trust scores): anyone's from publication. */
  async openData(surveyCode: string, principal: Principal | null): Promise<ScoresReport> {
    const { r } = await this.granted(surveyCode, principal, { openData: true });
    return scoresReport(r, null);
  }

  async breakdown(surveyCode: string, by: string, trust: string | undefined, principal: Principal | null): Promise<BreakdownReport> {
    const { r } = await this.granted(surveyCode, principal, { trust });
    if (!(BREAKDOWNS as readonly string[]).includes(by)) {
      throw new DomainError('validation_failed', `Choose a breakdown: ${BREAKDOWNS.join(', ')}`, [{ where: 'by', message: 'unknown' }]);
    }
    if (trust && !r.respondents.trusts.includes(trust)) {
      throw new DomainError('not_found', 'No trust in this survey has respondents under that code: check the trust code', [{ where: 'trust', message: 'not found' }]);
    }
    return shown({ survey: r.survey.code, ...breakdown(by as BreakdownBy, r.questions.evaluative, r.respondents, r.settings, trust) });
  }

  async frequencies(surveyCode: string, principal: Principal | null): Promise<FrequenciesReport> {
    const { grant, r } = await this.granted(surveyCode, principal);
    return shown({
      survey: r.survey.code,
      questions: r.questions.frequency.map((q) => withRespondent(r.questions, withoutOtherTrusts(frequencies(q, r.respondents, r.settings), grant.ownTrust))),
    });
  }

  async trend(surveyCode: string, principal: Principal | null): Promise<TrendReport> {
    const { grant, r } = await this.granted(surveyCode, principal);
    const previous = await this.previous(r);
    return shown({
      survey: r.survey.code, previousSurvey: previous.survey.code,
      questions: trend(r.scores, previous.scores).map((t) => withoutOtherTrusts(t, grant.ownTrust)),
    });
  }

  /** Every trust ranked: for those who see everything (a trust user sees their own trust's results instead). */
  async league(surveyCode: string, principal: Principal | null): Promise<LeagueReport> {
    const { grant, r } = await this.granted(surveyCode, principal);
    if (!grant.everything) throw new DomainError('forbidden', 'The league table is for coordinators: your own results are on your trust\'s results page');
    const previous = r.settings.previousSurvey ? await this.previous(r) : null;
    const trends = previous ? trend(r.scores, previous.scores) : null;
    return shown({ survey: r.survey.code, previousSurvey: previous?.survey.code ?? null, ...leagueTable(r.scores, respondentsPerTrust(r.respondents), trends, r.settings) });
  }

  /** Asks ResultsAccess before any figure is worked out, so a refusal costs no computation. */
  private async granted(surveyCode: string, principal: Principal | null, scope: ResultsScope = {}): Promise<{ grant: ResultsGrant; r: SurveyResults }> {
    const survey = await this.surveys.get(surveyCode);
    const grant = await this.access.assertMaySee(survey, principal, scope);
    return { grant, r: await this.resultsOf(survey) };
  }

  /** The survey's figures, worked out once per state of its data (concurrent callers share one computation). */
  async results(surveyCode: string): Promise<SurveyResults> {
    return this.resultsOf(await this.surveys.get(surveyCode));
  }

  private async resultsOf(survey: Survey): Promise<SurveyResults> {
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
    const questions = surveyQuestionsOf(settings);
    const resultsSettings = {
      suppressionThreshold: settings.suppressionThreshold, previousSurvey: settings.previousSurvey, ageBands: surveyAgeBands(settings).groups,
    };
    const respondents = prepareRespondents(await loadRespondents(this.dataSource, survey.id, questions, settings), resultsSettings);
    return {
      survey: { id: survey.id, code: survey.code, name: survey.name }, settings: resultsSettings, questions, respondents,
      scores: questions.evaluative.map((q) => questionScores(q, respondents, resultsSettings)), fingerprint,
    };
  }

  private async fingerprint(survey: Survey): Promise<string> {
    const [row] = await this.dataSource.query(
      `SELECT (SELECT count(*) || '/' || coalesce(max(id), 0) FROM responses WHERE survey_id = $1) AS responses,
              (SELECT coalesce(max(groups_derived_at)::text, '') FROM patients WHERE survey_id = $1) AS derived`, [survey.id]);
    // Moving the publication time changes no figure: it must not cost a national survey's refit.
    const { publicationAt: _publication, ...settings } = survey.settings;
    return `${row.responses}|${row.derived}|${JSON.stringify(settings)}`;
  }

  private async previous(r: SurveyResults): Promise<SurveyResults> {
    if (!r.settings.previousSurvey) {
      throw new DomainError('invalid_state', 'This survey names no previous survey: set previousSurvey in its settings to compare with last year');
    }
    return this.results(r.settings.previousSurvey);
  }
}
