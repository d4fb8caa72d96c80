import { DomainError } from '../infra/errors/domain-error';
import type { Survey } from '../surveys/survey.entity';
import type { SurveysService } from '../surveys/surveys.service';

/** The survey a page is about: the one named, else the newest still in progress (else the newest). */
export async function newestSurvey(surveys: SurveysService, code: string | undefined): Promise<Survey> {
  if (code) return surveys.get(code);
  const all = await surveys.list();
  const open = all.filter((s) => s.status !== 'closed' && s.status !== 'purged');
  const newest = (open.length ? open : all).sort((a, b) => (a.periodStart < b.periodStart ? 1 : -1))[0];
  if (!newest) throw new DomainError('not_found', 'There is no survey yet');
  return newest;
}
