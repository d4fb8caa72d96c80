import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../../auth/roles';
import { DomainError, NotFoundError } from '../../infra/errors/domain-error';
import { parseSurveySettings } from '../../surveys/survey-settings';
import { SurveysService } from '../../surveys/surveys.service';
import { ResultsAccess } from '../results-access';
import { surveyQuestionsOf } from '../survey-questions';
import { freeTextQuestions, identifiersOf, IDENTIFIERS_SQL, type IdentifierRow } from './comment-answers';
import { redactorFor } from './redact';

/** One comment as a trust's report and the comments export show it: redacted, with no patient reference. */
export interface TrustComment { questionNumber: number; question: string; text: string }
export interface CommentsExport { survey: string; trust: string; comments: TrustComment[] }

/**
 * Patients' free-text answers, only ever redacted (RESULTS-METHOD "Free text"). Before the
 * purge each comment is redacted against its own patient's identifiers as it is read; after
 * it, the stored text is already the redacted one (the purge rewrote it) and is redacted again
 * for the shapes, which changes nothing.
 */
@Injectable()
export class CommentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly access: ResultsAccess,
  ) {}

  /** The per-trust comments export: whoever may see this trust's results. */
  async export(surveyCode: string, trust: string | undefined, principal: Principal): Promise<CommentsExport> {
    if (!trust?.trim()) {
      throw new DomainError('validation_failed', "Say which trust's comments you want (trust=RXX): comments are exported one trust at a time",
        [{ where: 'trust', message: 'required' }]);
    }
    const survey = await this.surveys.get(surveyCode);
    await this.access.assertMaySee(survey, principal, { trust });
    const [known] = await this.dataSource.query('SELECT 1 FROM trusts WHERE code = $1', [trust]);
    if (!known) throw new NotFoundError('No trust has that code: check the trust code', 'trust');
    return { survey: survey.code, trust, comments: await this.forTrust(survey.code, trust) };
  }

  /**
   * One trust's comments, redacted, by question in questionnaire order. Within a question the
   * order is a hash of the respondent, so it reveals neither the sample order nor when anyone
   * answered. The caller has checked who may see them (ResultsAccess).
   */
  async forTrust(surveyCode: string, trust: string): Promise<TrustComment[]> {
    const survey = await this.surveys.get(surveyCode);
    const questions = freeTextQuestions(surveyQuestionsOf(parseSurveySettings(survey.settings)).definition);
    if (!questions.length) return [];
    const rows: (IdentifierRow & { answers: Record<string, unknown> })[] = await this.dataSource.query(
      `SELECT ${IDENTIFIERS_SQL}, r.answers
       FROM responses r JOIN patients p ON p.id = r.patient_id
       WHERE r.survey_id = $1 AND p.trust_code = $2 AND r.answers ?| $3::text[]
       ORDER BY md5(r.survey_id::text || ':' || p.id::text)`, [survey.id, trust, questions.map((q) => q.id)]);
    const redactors = rows.map((row) => redactorFor(identifiersOf(row)));
    const out: TrustComment[] = [];
    for (const q of questions) {
      for (const [i, row] of rows.entries()) {
        const text = row.answers[q.id];
        if (typeof text !== 'string' || !text.trim()) continue;
        out.push({ questionNumber: q.number, question: q.text, text: redactors[i](text.trim()) });
      }
    }
    return out;
  }
}

/** Columns: trust, question number, question, comment. No patient reference, no record number. */
export const commentsCsvRows = (r: CommentsExport): (string | number)[][] => [
  ['trust', 'question_number', 'question', 'comment'],
  ...r.comments.map((c) => [r.trust, c.questionNumber, c.question, c.text]),
];
