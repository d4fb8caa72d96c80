import type { DataSource } from 'typeorm';
import type { Respondent } from './method';
import { ethnicGroup, imdQuintileLabel, sexGroup, surveyAgeBands, tumourGroup } from './grouping-variables';
import type { SurveyQuestions } from './survey-questions';

interface Row {
  id: string; trust: string; icb: string | null; alliance: string | null; imd: number | null; age: number | null;
  sex: string | null; ethnicity: string | null; icd10: string | null; answers: Record<string, unknown>; questionnaire: string | null;
}

/** Age at discharge in whole years: kept on the row after the purge, worked out from the dates before it. */
export const ageAtDischargeSql = (p: string) =>
  `coalesce(${p}.age_at_discharge, extract(year FROM age(${p}.discharge_date, ${p}.date_of_birth))::int)`;

/**
 * The survey's respondents (RESULTS-METHOD "Who counts"): a completed questionnaire with at
 * least one answered question. Only anonymous variables are read (kept after the purge), so
 * the figures are the same before and after it. Each is in one of the survey's age bands
 * (surveyAgeBands of its settings, as response rates by group and the dataset's codebook are).
 */
export async function loadRespondents(
  dataSource: DataSource, surveyId: string, questions: SurveyQuestions, settings: Parameters<typeof surveyAgeBands>[0],
): Promise<Respondent[]> {
  const bandOf = surveyAgeBands(settings).of;
  const rows: Row[] = await dataSource.query(
    `SELECT p.id::text AS id, p.trust_code AS trust, p.icb_code AS icb, p.cancer_alliance_code AS alliance, p.imd_quintile AS imd,
       ${ageAtDischargeSql('p')} AS age,
       p.sex, p.ethnicity, p.icd10, r.answers, p.questionnaire
     FROM responses r JOIN patients p ON p.id = r.patient_id
     WHERE r.survey_id = $1`, [surveyId]);
  const spread = questions.cancerSpread;
  // A questionnaire in parts has a response row per part: one respondent, with both parts' answers.
  const byPatient = new Map<string, Row>();
  for (const row of rows) {
    const answers = pooledAnswers(questions, row);
    const earlier = byPatient.get(row.id);
    if (earlier) Object.assign(earlier.answers, answers);
    else byPatient.set(row.id, { ...row, answers });
  }
  const respondents: Respondent[] = [];
  for (const row of byPatient.values()) {
    // An adult survey samples no one under 16; the Under-16 survey no one outside its bands.
    const band = bandOf(row.age);
    if (!band || !answeredAny(row.answers)) continue;
    const tumour = tumourGroup(row.icd10);
    respondents.push({
      id: row.id, trust: row.trust, icb: row.icb, alliance: row.alliance, ageBand: band, sex: sexGroup(row.sex),
      ethnicGroup: ethnicGroup(row.ethnicity), imdQuintile: imdQuintileLabel(row.imd), tumourGroup: tumour,
      secondaryBreastCancer: spread !== null && /^C50/i.test(row.icd10 ?? '') && row.answers[spread.id] === spread.yes,
      answers: row.answers,
    });
  }
  return respondents;
}

/** A response's answers under the pooled questions' ids (its questionnaire's own ids when nothing is pooled). */
function pooledAnswers(questions: SurveyQuestions, row: Row): Record<string, unknown> {
  if (!questions.pooled) return row.answers;
  const keys = questions.pooled.byQuestionnaire.get(row.questionnaire ?? questions.pooled.surveyQuestionnaire);
  const out: Record<string, unknown> = {};
  for (const [id, value] of Object.entries(row.answers)) {
    const key = keys?.get(id);
    if (key !== undefined) out[key] = value;
  }
  return out;
}

const answeredAny = (answers: Record<string, unknown>) =>
  Object.values(answers).some((v) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0));
