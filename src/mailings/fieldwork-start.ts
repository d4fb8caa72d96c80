import type { EntityManager } from 'typeorm';
import type { QuestionnaireBand, SurveySettings } from '../surveys/survey-settings';

/**
 * Fieldwork starts with the survey's first mailing: run in the launch's transaction (the survey
 * row already locked), once, when the plan's first step is first launched. The survey's
 * `fieldworkStart` is kept if the coordinator set it, else becomes today's date in England; then,
 * for a survey with questionnaires by age, every patient's questionnaire is chosen by their age
 * on that day (as questionnaireForAge does, in one statement). Other surveys leave it unset: the
 * survey's own questionnaire applies.
 */
export async function startFieldwork(m: Pick<EntityManager, 'query'>, surveyId: string): Promise<{ fieldworkStart: string; assigned: number }> {
  await m.query(
    `UPDATE surveys SET settings = jsonb_set(settings, '{fieldworkStart}', to_jsonb(to_char((now() AT TIME ZONE 'Europe/London')::date, 'YYYY-MM-DD'))),
       updated_at = now()
     WHERE id = $1 AND settings->>'fieldworkStart' IS NULL`, [surveyId]);
  const [{ settings }]: { settings: SurveySettings }[] = await m.query('SELECT settings FROM surveys WHERE id = $1', [surveyId]);
  const fieldworkStart = settings.fieldworkStart!;
  const bands = settings.questionnaireByAge;
  if (!bands?.length) return { fieldworkStart, assigned: 0 };
  return { fieldworkStart, assigned: await assignQuestionnaires(m, surveyId, fieldworkStart, bands) };
}

/**
 * Each patient's questionnaire by whole years of age on `day` (a birthday on the day counts; a
 * 29 February birthday turns over on 1 March, as ageOn): the band holding the age; older than
 * every band, the oldest band's; otherwise the youngest band's.
 */
async function assignQuestionnaires(m: Pick<EntityManager, 'query'>, surveyId: string, day: string, bands: QuestionnaireBand[]): Promise<number> {
  const [youngest, oldest] = [bands[0], bands[bands.length - 1]];
  const [, count] = await m.query(
    `UPDATE patients p SET questionnaire = c.questionnaire
     FROM (
       SELECT a.id, coalesce(
           (SELECT b.questionnaire FROM jsonb_to_recordset($2::jsonb) b ("fromAge" int, "toAge" int, questionnaire text)
            WHERE a.age BETWEEN b."fromAge" AND b."toAge" LIMIT 1),
           CASE WHEN a.age > $4 THEN $5 ELSE $6 END) AS questionnaire
       FROM (
         SELECT id, extract(year FROM $3::date)::int - extract(year FROM date_of_birth)::int
           - CASE WHEN to_char($3::date, 'MM-DD') < to_char(date_of_birth, 'MM-DD') THEN 1 ELSE 0 END AS age
         FROM patients WHERE survey_id = $1
       ) a
     ) c
     WHERE p.id = c.id`,
    [surveyId, JSON.stringify(bands), day, oldest.toAge, oldest.questionnaire, youngest.questionnaire]);
  return count;
}
