import type { SurveySettings } from './survey-settings';

/** Whole years from a date of birth to a day (both YYYY-MM-DD): a birthday on the day counts. */
export function ageOn(dateOfBirth: string, day: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number);
  const [y, m, d] = day.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/**
 * The questionnaire for a patient of this age on the fieldwork start date: the band holding the
 * age; older than every band, the oldest band's (a child who turned 16 since discharge stays in
 * the 12–15 band); with no bands, the survey's questionnaire.
 */
export function questionnaireForAge(settings: Pick<SurveySettings, 'questionnaire' | 'questionnaireByAge'>, age: number): string {
  const bands = settings.questionnaireByAge;
  if (!bands?.length) return settings.questionnaire;
  const band = bands.find((b) => age >= b.fromAge && age <= b.toAge)
    ?? (age > bands[bands.length - 1].toAge ? bands[bands.length - 1] : bands[0]);
  return band.questionnaire;
}
