import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUniqueViolation } from '../infra/database/pg-errors';
import { ConflictError, DomainError, NotFoundError } from '../infra/errors/domain-error';
import { CreateSurveyDto } from './dto/create-survey.dto';
import { parseSurveySettings } from './survey-settings';
import { Survey } from './survey.entity';

@Injectable()
export class SurveysService {
  constructor(@InjectRepository(Survey) private readonly surveys: Repository<Survey>) {}

  async create(input: CreateSurveyDto): Promise<Survey> {
    if (input.periodStart > input.periodEnd) {
      throw new DomainError('validation_failed', 'The sample period must start on or before its end', [
        { where: 'periodEnd', message: `period end ${input.periodEnd} is before period start ${input.periodStart}` },
      ]);
    }
    const kind = input.kind ?? 'adult';
    const settings = parseSurveySettings(input.settings ?? {}, kind);
    try {
      return await this.surveys.save(this.surveys.create({
        code: input.code,
        name: input.name ?? `${input.code} survey`,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        status: 'setup',
        kind,
        settings,
      }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('A survey with that code already exists: choose another code');
      throw error;
    }
  }

  /**
   * Sets the day fieldwork starts (settings.fieldworkStart), before the first mailing: that
   * launch chooses each patient's questionnaire by their age on it. Refused once the first
   * mailing has gone (the survey is in fieldwork), as the questionnaires are chosen then.
   */
  async setFieldworkStart(code: string, date: string): Promise<Survey> {
    const survey = await this.get(code);
    // One statement, so a launch (which locks the survey row) either sees the new date or refuses it here.
    const [, changed] = await this.surveys.query(
      `UPDATE surveys SET settings = jsonb_set(settings, '{fieldworkStart}', to_jsonb($2::text)), updated_at = now()
       WHERE id = $1 AND status IN ('setup', 'sampling')`, [survey.id, date]);
    if (!changed && (survey.status === 'closed' || survey.status === 'purged')) {
      throw new DomainError('invalid_state', `${survey.code} is ${survey.status}: its fieldwork start can no longer be changed`);
    }
    if (!changed) {
      throw new DomainError('invalid_state', `The fieldwork start of ${survey.code} can no longer be changed: its first mailing has been launched `
        + `(fieldwork started on ${survey.settings.fieldworkStart ?? 'its launch'}), and each patient's questionnaire was chosen by their age on that day`);
    }
    return this.get(code);
  }

  list(): Promise<Survey[]> {
    // Newest first: by sample period, then (for surveys of the same period) the latest created.
    return this.surveys.find({ order: { periodStart: 'DESC', createdAt: 'DESC', code: 'ASC' } });
  }

  async get(code: string): Promise<Survey> {
    const survey = await this.surveys.findOneBy({ code });
    if (!survey) throw new NotFoundError('No survey has that code: check the survey code', 'survey');
    return survey;
  }

  async getById(id: string): Promise<Survey | null> {
    return this.surveys.findOneBy({ id });
  }
}
