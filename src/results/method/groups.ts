/**
 * The grouping variables of RESULTS-METHOD.md, in the order the method lists them: the order
 * breaks ties when choosing a case-mix reference category and orders breakdown tables.
 */
export const AGE_BANDS = ['16–24', '25–34', '35–44', '45–54', '55–64', '65–74', '75–84', '85+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export const SEX_GROUPS = ['male', 'female', 'other or not known'] as const;
export type SexGroup = (typeof SEX_GROUPS)[number];

export const ETHNIC_GROUPS = ['White', 'Mixed', 'Asian', 'Black', 'Other', 'Not known'] as const;
export type EthnicGroup = (typeof ETHNIC_GROUPS)[number];

export const IMD_QUINTILES = ['1', '2', '3', '4', '5', 'unknown'] as const;
export type ImdQuintile = (typeof IMD_QUINTILES)[number];

export const TUMOUR_GROUPS = [
  'Brain / CNS', 'Breast', 'Colorectal / LGT', 'Gynaecological', 'Haematological', 'Head and neck',
  'Lung', 'Prostate', 'Sarcoma', 'Skin', 'Upper gastro', 'Urological', 'Other',
] as const;
export type TumourGroup = (typeof TUMOUR_GROUPS)[number];

export const SECONDARY_BREAST_CANCER_GROUPS = ['yes', 'no'] as const;
export type SecondaryBreastCancerGroup = (typeof SECONDARY_BREAST_CANCER_GROUPS)[number];

/** One respondent: anonymous grouping variables (kept after the purge) and the stored answers. */
export interface Respondent {
  id: string;
  trust: string;
  icb: string | null;
  alliance: string | null;
  /** An adult band, or one of the survey's own bands when it has questionnaires by age (the Under-16 survey). */
  ageBand: string;
  sex: SexGroup;
  ethnicGroup: EthnicGroup;
  imdQuintile: ImdQuintile;
  tumourGroup: TumourGroup;
  secondaryBreastCancer: boolean;
  /** As stored: option value, list of option values, rating number or text, by question id. */
  answers: Record<string, unknown>;
}

export const BREAKDOWNS = ['tumour_group', 'age_band', 'sex', 'ethnic_group', 'imd_quintile', 'secondary_breast_cancer'] as const;
export type BreakdownBy = (typeof BREAKDOWNS)[number];

/** Each breakdown's groups in table order, and how a respondent is placed in one (by age: the adult bands). */
export const BREAKDOWN_GROUPS: Record<BreakdownBy, { groups: readonly string[]; of: (r: Respondent) => string }> = {
  tumour_group: { groups: TUMOUR_GROUPS, of: (r) => r.tumourGroup },
  age_band: { groups: AGE_BANDS, of: (r) => r.ageBand },
  sex: { groups: SEX_GROUPS, of: (r) => r.sex },
  ethnic_group: { groups: ETHNIC_GROUPS, of: (r) => r.ethnicGroup },
  imd_quintile: { groups: IMD_QUINTILES, of: (r) => r.imdQuintile },
  secondary_breast_cancer: { groups: SECONDARY_BREAST_CANCER_GROUPS, of: (r) => (r.secondaryBreastCancer ? 'yes' : 'no') },
};

/**
 * A breakdown's groups for a survey whose age bands are ageBands (surveyAgeBands' groups: the
 * adult bands, or the survey's own when it has questionnaires by age).
 */
export function breakdownGroups(by: BreakdownBy, ageBands: readonly string[] = AGE_BANDS): { groups: readonly string[]; of: (r: Respondent) => string } {
  return by === 'age_band' ? { groups: ageBands, of: BREAKDOWN_GROUPS.age_band.of } : BREAKDOWN_GROUPS[by];
}

export interface CaseMixVariable { name: string; categories: readonly string[]; of: (r: Respondent) => string }

const OTHER_CASE_MIX_VARIABLES: readonly CaseMixVariable[] = [
  { name: 'sex', categories: SEX_GROUPS as readonly string[], of: (r: Respondent): string => r.sex },
  { name: 'ethnic group', categories: ETHNIC_GROUPS as readonly string[], of: (r: Respondent): string => r.ethnicGroup },
  { name: 'IMD quintile', categories: IMD_QUINTILES as readonly string[], of: (r: Respondent): string => r.imdQuintile },
  { name: 'tumour group', categories: TUMOUR_GROUPS as readonly string[], of: (r: Respondent): string => r.tumourGroup },
];

/**
 * The case-mix variables of the logistic model, in the method's order, for a survey whose age
 * bands are ageBands: the age categories are the survey's bands, so a survey with bands of its
 * own (the Under-16 survey) is adjusted by those.
 */
export function caseMixVariables(ageBands: readonly string[] = AGE_BANDS): readonly CaseMixVariable[] {
  return [{ name: 'age band', categories: ageBands, of: (r) => r.ageBand }, ...OTHER_CASE_MIX_VARIABLES];
}
