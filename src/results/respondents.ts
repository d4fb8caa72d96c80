import type { DataSource } from 'typeorm';
import type { Respondent } from './method';
import { ageBand, ethnicGroup, imdQuintileLabel, sexGroup, tumourGroup } from './grouping-variables';
import type { SurveyQuestions } from './survey-questions';

interface Row {
  id: string; trust: string; icb: string | null; alliance: string | null; imd: number | null; age: number | null;
  sex: string | null; ethnicity: string | null; icd10: string | null; answers: Record<string, unknown>;
}

/** Age at discharge in whole years: kept on the row after the purge, worked out from the dates before it. */
export const ageAtDischargeSql = (p: string) =>
  `coalesce(${p}.age_at_discharge, extract(year FROM age(${p}.discharge_date, ${p}.date_of_birth))::int)`;

/**
 * The survey's respondents (RESULTS-METHOD "Who counts"): a completed questionnaire with at
 * least one answered question. Only anonymous variables are read (kept after the purge), so
 * the figures are the same before and after it.
 */
export async function loadRespondents(dataSource: DataSource, surveyId: string, questions: SurveyQuestions): Promise<Respondent[]> {
  const rows: Row[] = await dataSource.query(
    `SELECT p.id::text AS id, p.trust_code AS trust, p.icb_code AS icb, p.cancer_alliance_code AS alliance, p.imd_quintile AS imd,
       ${ageAtDischargeSql('p')} AS age,
       p.sex, p.ethnicity, p.icd10, r.answers
     FROM responses r JOIN patients p ON p.id = r.patient_id
     WHERE r.survey_id = $1`, [surveyId]);
  const spread = questions.cancerSpread;
  const respondents: Respondent[] = [];
  for (const row of rows) {
    const band = ageBand(row.age);
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

const answeredAny = (answers: Record<string, unknown>) =>
  Object.values(answers).some((v) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0));
