import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Principal } from '../../auth/roles';
import { DomainError } from '../../infra/errors/domain-error';
import { parseSurveySettings } from '../../surveys/survey-settings';
import type { Survey } from '../../surveys/survey.entity';
import { SurveysService } from '../../surveys/surveys.service';
import { surveyAgeBands } from '../grouping-variables';
import { loadRespondents } from '../respondents';
import { ResultsAccess } from '../results-access';
import { surveyQuestionsOf } from '../survey-questions';
import { type AreaNames, codebook, type CodebookColumn, datasetRow, type DatasetRow } from './codebook';

export interface Dataset { survey: string; columns: CodebookColumn[]; rows: DatasetRow[] }

/**
 * The respondent-level dataset for analysts (coordinators only): one row per respondent
 * (RESULTS-METHOD "Who counts") with the anonymous grouping variables, the mode and every
 * answer that is not free text, and its codebook. Nothing that identifies anyone is read: the
 * rows come from the same respondents the results are computed from (respondents.ts), so the
 * dataset is the same before and after the purge.
 */
@Injectable()
export class DatasetService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly access: ResultsAccess,
  ) {}

  async dataset(surveyCode: string, principal: Principal): Promise<Dataset> {
    const survey = await this.allowed(surveyCode, principal);
    const settings = parseSurveySettings(survey.settings);
    const questions = surveyQuestionsOf(settings);
    const columns = codebook(questions, await this.names(survey.id), surveyAgeBands(settings).groups);
    const respondents = await loadRespondents(this.dataSource, survey.id, questions, settings);
    const modes = new Map<string, string>((await this.dataSource.query(
      'SELECT patient_id::text AS id, mode FROM responses WHERE survey_id = $1', [survey.id])).map((r: { id: string; mode: string }) => [r.id, r.mode]));
    // A hash of the survey's own id and the patient's: stable between runs, unrelated to the sample or reply order.
    const order = (id: string) => createHash('sha256').update(`${survey.id}:${id}`).digest('hex');
    const sorted = respondents.map((r) => ({ r, key: order(r.id) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { survey: survey.code, columns, rows: sorted.map(({ r }, i) => datasetRow(columns, i + 1, r, modes.get(r.id) ?? '', questions)) };
  }

  async codebook(surveyCode: string, principal: Principal): Promise<{ survey: string; columns: CodebookColumn[] }> {
    const survey = await this.allowed(surveyCode, principal);
    const settings = parseSurveySettings(survey.settings);
    return { survey: survey.code, columns: codebook(surveyQuestionsOf(settings), await this.names(survey.id), surveyAgeBands(settings).groups) };
  }

  private async allowed(surveyCode: string, principal: Principal): Promise<Survey> {
    const survey = await this.surveys.get(surveyCode);
    await this.access.assertMaySee(survey, principal);
    // Row-level data, even anonymous, is for the survey's analysts, not for a trust or a pre-release reader.
    if (principal.role !== 'coordinator') throw new DomainError('forbidden', 'The respondent-level dataset is for coordinators: ask the survey coordinator for an extract');
    return survey;
  }

  /** Names of the trusts, ICBs and Cancer Alliances the survey's patients belong to, for the codebook. */
  private async names(surveyId: string): Promise<AreaNames> {
    const rows: { kind: string; code: string; name: string | null }[] = await this.dataSource.query(
      `SELECT 'trust' AS kind, p.code, t.name FROM (SELECT DISTINCT trust_code AS code FROM patients WHERE survey_id = $1) p
         LEFT JOIN trusts t ON t.code = p.code
       UNION ALL SELECT 'icb', p.code, i.name FROM (SELECT DISTINCT icb_code AS code FROM patients WHERE survey_id = $1 AND icb_code IS NOT NULL) p
         LEFT JOIN area_icbs i ON i.code = p.code
       UNION ALL SELECT 'alliance', p.code, a.name FROM (SELECT DISTINCT cancer_alliance_code AS code FROM patients WHERE survey_id = $1 AND cancer_alliance_code IS NOT NULL) p
         LEFT JOIN area_alliances a ON a.code = p.code`,
      [surveyId]);
    const of = (kind: string) => new Map(rows.filter((r) => r.kind === kind).map((r) => [r.code, r.name ?? r.code]));
    return { trusts: of('trust'), icbs: of('icb'), alliances: of('alliance') };
  }
}
