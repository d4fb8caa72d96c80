import { DomainError } from '../infra/errors/domain-error';
import type { Survey } from '../surveys/survey.entity';
import type { SurveysService } from '../surveys/surveys.service';

/**
 * The survey a page is about: the one named, else the one in fieldwork (the season staff are
 * working on, not a newer one still being set up), else the newest still open, else the newest.
 * With it, every survey for the page's chooser.
 */
export async function pageSurvey(surveys: SurveysService, code: string | undefined): Promise<{ survey: Survey; surveys: Survey[] }> {
  const all = await surveys.list();
  if (code) return { survey: await surveys.get(code), surveys: all };
  const open = all.filter((s) => s.status !== 'closed' && s.status !== 'purged');
  const inFieldwork = all.filter((s) => s.status === 'fieldwork');
  const survey = (inFieldwork.length ? inFieldwork : open.length ? open : all)[0];
  if (!survey) throw new DomainError('not_found', 'There is no survey yet: a coordinator creates one first');
  return { survey, surveys: all };
}
