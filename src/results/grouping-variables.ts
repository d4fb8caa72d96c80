/**
 * The anonymous grouping variables of ../shared/domain/RESULTS-METHOD.md, from what the sample
 * file gave (and the purge keeps): pure functions, so a breakdown is the same before and after
 * the purge and can be recomputed by hand. The string values are the published labels.
 */

import { AGE_BANDS, type AgeBand, type EthnicGroup, type ImdQuintile, type SexGroup, type TumourGroup } from './method/groups';

// The groups' names and order are the method's (method/groups.ts); re-exported for the data side.
export { AGE_BANDS, ETHNIC_GROUPS, IMD_QUINTILES, SEX_GROUPS, TUMOUR_GROUPS } from './method/groups';
export type { AgeBand, EthnicGroup, ImdQuintile, SexGroup, TumourGroup };

/** The method's table, in its order: the first group with a matching ICD-10 category wins. */
const TUMOUR_RANGES: [Exclude<TumourGroup, 'Other'>, string[]][] = [
  ['Brain / CNS', ['C70-C72']],
  ['Breast', ['C50', 'D05']],
  ['Colorectal / LGT', ['C18-C21']],
  ['Gynaecological', ['C51-C58']],
  ['Haematological', ['C81-C96']],
  ['Head and neck', ['C00-C14', 'C30-C32', 'C73']],
  ['Lung', ['C33-C34']],
  ['Prostate', ['C61']],
  ['Sarcoma', ['C40-C41', 'C45-C49']],
  ['Skin', ['C43-C44']],
  ['Upper gastro', ['C15-C17', 'C22-C25']],
  ['Urological', ['C60', 'C62-C68']],
];

/** "C50.9", "C509", "c50", "D05.1" → the three-character category "C50", "D05"; undefined when not ICD-10. */
export function icd10Category(code: string | null | undefined): string | undefined {
  const match = /^([A-Z]\d{2})(\.?[0-9A-Z]{0,2})$/.exec((code ?? '').trim().toUpperCase());
  return match?.[1];
}

export function tumourGroup(icd10: string | null | undefined): TumourGroup {
  const category = icd10Category(icd10);
  if (!category) return 'Other';
  for (const [group, ranges] of TUMOUR_RANGES) {
    for (const range of ranges) {
      const [from, to = from] = range.split('-');
      if (category >= from && category <= to) return group;
    }
  }
  return 'Other';
}

/** Age at discharge in whole years; null below the survey's adult minimum (16) or when unknown. */
export function ageBand(age: number | null | undefined): AgeBand | null {
  if (age === null || age === undefined || !Number.isFinite(age) || age < 16) return null;
  if (age >= 85) return '85+';
  if (age < 25) return '16–24';
  return AGE_BANDS[Math.floor((age - 25) / 10) + 1];
}

/**
 * A survey's age bands by age at discharge: with questionnaires by age (the Under-16 survey) the
 * bands of its settings, labelled by their ages ("0–7", "8–11", "12–15" by default); otherwise
 * the adult bands. An age in no band is null. The results, response rates by group and the
 * dataset all place respondents by these.
 */
export function surveyAgeBands(settings: { questionnaireByAge?: { fromAge: number; toAge: number }[] }): { groups: string[]; of: (age: number | null | undefined) => string | null } {
  const bands = settings.questionnaireByAge;
  if (!bands?.length) return { groups: [...AGE_BANDS], of: ageBand };
  const labelled = bands.map((b) => ({ ...b, label: `${b.fromAge}–${b.toAge}` }));
  return {
    groups: labelled.map((b) => b.label),
    of: (age) => (age === null || age === undefined || !Number.isFinite(age) ? null : labelled.find((b) => age >= b.fromAge && age <= b.toAge)?.label ?? null),
  };
}

/** NHS sex codes: 1 male, 2 female; 0 (not known), 9 (indeterminate) and anything else together. */
export function sexGroup(code: string | null | undefined): SexGroup {
  const c = (code ?? '').trim();
  if (c === '1') return 'male';
  if (c === '2') return 'female';
  return 'other or not known';
}

const ETHNIC_BY_CODE: Record<string, EthnicGroup> = {
  A: 'White', B: 'White', C: 'White',
  D: 'Mixed', E: 'Mixed', F: 'Mixed', G: 'Mixed',
  H: 'Asian', J: 'Asian', K: 'Asian', L: 'Asian',
  M: 'Black', N: 'Black', P: 'Black',
  R: 'Other', S: 'Other',
};

/** NHS ethnic category code; Z, 99, blank and anything unrecognised are "Not known". */
export function ethnicGroup(code: string | null | undefined): EthnicGroup {
  return ETHNIC_BY_CODE[(code ?? '').trim().toUpperCase()] ?? 'Not known';
}

/** IMD decile 1–10 → quintile: 1–2 → 1 (most deprived) … 9–10 → 5; no decile → unknown. */
export function imdQuintile(decile: number | null | undefined): ImdQuintile {
  if (decile === null || decile === undefined || !Number.isInteger(decile) || decile < 1 || decile > 10) return 'unknown';
  return String(Math.ceil(decile / 2)) as ImdQuintile;
}

/** The quintile the patients table keeps (a number 1–5, NULL unknown) as its label. */
export function imdQuintileLabel(stored: number | null | undefined): ImdQuintile {
  return stored !== null && stored !== undefined && Number.isInteger(stored) && stored >= 1 && stored <= 5
    ? (String(stored) as ImdQuintile) : 'unknown';
}
