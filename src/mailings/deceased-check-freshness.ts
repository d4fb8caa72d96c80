import type { EntityManager } from 'typeorm';
import { parseSurveySettings } from '../surveys/survey-settings';
import type { Survey } from '../surveys/survey.entity';
import { longDate } from '../infra/dates';

const DAY_MS = 86_400_000;

/**
 * Why mail may not go out for want of a recent deceased check, or null when the latest trace
 * response is within the survey's limit. Launches and resumes are refused with this message,
 * and workers pause a step with it when a scheduled reminder comes due on a stale check.
 */
export async function staleDeceasedCheck(m: Pick<EntityManager, 'query'>, survey: Pick<Survey, 'id' | 'code' | 'settings'>, now = new Date()): Promise<string | null> {
  const limit = parseSurveySettings(survey.settings).deceasedCheckMaxAgeDays;
  const [{ latest }] = await m.query('SELECT max(imported_at) AS latest FROM deceased_checks WHERE survey_id = $1', [survey.id]);
  if (!latest) {
    return `No deceased check has been imported for this survey: import a trace response (deaths:import) before mailing`;
  }
  const ageDays = Math.floor((now.getTime() - new Date(latest).getTime()) / DAY_MS);
  if (now.getTime() - new Date(latest).getTime() <= limit * DAY_MS) return null;
  return `The latest deceased check for this survey was imported on ${longDate(new Date(latest))}, `
    + `${ageDays} days ago; the survey allows ${limit}. Import a fresh trace response (deaths:import) before mailing`;
}

/** The same rule inside a claim statement, for the survey aliased `s`. */
export const freshDeceasedCheckSql = (s: string) => `
  EXISTS (SELECT 1 FROM deceased_checks dc WHERE dc.survey_id = ${s}.id
          AND dc.imported_at >= now() - make_interval(days => (${s}.settings->>'deceasedCheckMaxAgeDays')::int))`;
