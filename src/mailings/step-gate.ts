import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { MailingStep } from '../questionnaires/letter-template';
import type { Survey } from '../surveys/survey.entity';
import { staleDeceasedCheck } from './deceased-check-freshness';

/**
 * Whether a step's mail may be produced now. A paused step is held; so is one whose deceased
 * check has gone stale (a reminder scheduled weeks ahead comes due): the step is then paused
 * with the reason, for a coordinator to import a fresh trace and resume.
 */
@Injectable()
export class StepGate {
  private readonly logger = new Logger('Mailings');

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async open(survey: Pick<Survey, 'id' | 'code' | 'settings'>, step: MailingStep): Promise<boolean> {
    const [row] = await this.dataSource.query(
      'SELECT paused_at FROM mailing_steps WHERE survey_id = $1 AND step = $2', [survey.id, step]);
    if (!row || row.paused_at) return false;
    const stale = await staleDeceasedCheck(this.dataSource.manager, survey);
    if (!stale) return true;
    const [{ paused }] = await this.dataSource.query(
      `WITH u AS (UPDATE mailing_steps SET paused_at = now(), paused_by = 'system', pause_reason = $3
                  WHERE survey_id = $1 AND step = $2 AND paused_at IS NULL RETURNING 1)
       SELECT count(*)::int AS paused FROM u`, [survey.id, step, stale]);
    if (paused) this.logger.warn(`${survey.code} ${step} paused: ${stale}`);
    return false;
  }
}
