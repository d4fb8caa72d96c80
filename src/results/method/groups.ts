/**
 * The grouping variables of RESULTS-METHOD.md, in the order the method lists them: the order
 * breaks ties when choosing a case-mix reference category and orders breakdown tables.
 */
export const AGE_BANDS = ['16–24', '25–34', '35–44', '45–54', '55–64', '65–74', '75–84', '85+'] as const;
/**
 * The Under-16 survey's age bands (those of its questionnaires). Listed after the adult bands in
 * the case-mix model, where a band with no respondents has no column: adult figures are unchanged.
 */
export const CHILD_AGE_BANDS = ['0–7', '8–11', '12–15'] as const;
export type AgeBand = (typeof AGE_BANDS)[number] | (typeof CHILD_AGE_BANDS)[number];

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
  ageBand: AgeBand;
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

/** Each breakdown's groups in table order, and how a respondent is placed in one. */
export const BREAKDOWN_GROUPS: Record<BreakdownBy, { groups: readonly string[]; of: (r: Respondent) => string }> = {
  tumour_group: { groups: TUMOUR_GROUPS, of: (r) => r.tumourGroup },
  age_band: { groups: AGE_BANDS, of: (r) => r.ageBand },
  sex: { groups: SEX_GROUPS, of: (r) => r.sex },
  ethnic_group: { groups: ETHNIC_GROUPS, of: (r) => r.ethnicGroup },
  imd_quintile: { groups: IMD_QUINTILES, of: (r) => r.imdQuintile },
  secondary_breast_cancer: { groups: SECONDARY_BREAST_CANCER_GROUPS, of: (r) => (r.secondaryBreastCancer ? 'yes' : 'no') },
};

/** The case-mix variables of the logistic model, in the method's order. */
export const CASE_MIX_VARIABLES = [
  { name: 'age band', categories: [...AGE_BANDS, ...CHILD_AGE_BANDS] as readonly string[], of: (r: Respondent): string => r.ageBand },
  { name: 'sex', categories: SEX_GROUPS as readonly string[], of: (r: Respondent): string => r.sex },
  { name: 'ethnic group', categories: ETHNIC_GROUPS as readonly string[], of: (r: Respondent): string => r.ethnicGroup },
  { name: 'IMD quintile', categories: IMD_QUINTILES as readonly string[], of: (r: Respondent): string => r.imdQuintile },
  { name: 'tumour group', categories: TUMOUR_GROUPS as readonly string[], of: (r: Respondent): string => r.tumourGroup },
] as const;
