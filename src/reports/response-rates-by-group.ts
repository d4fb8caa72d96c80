import { DomainError } from '../infra/errors/domain-error';
import {
  ETHNIC_GROUPS, ethnicGroup, IMD_QUINTILES, imdQuintileLabel, SEX_GROUPS, sexGroup, surveyAgeBands, TUMOUR_GROUPS, tumourGroup,
} from '../results/grouping-variables';
import { ageAtDischargeSql } from '../results/respondents';
import { adjustedRate, OUTCOME_CODES, OutcomeCounts, percent } from './rates';

export const GROUPINGS = ['age_band', 'sex', 'ethnic_group', 'imd_quintile', 'tumour_group', 'channel'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** The ways a patient can be reached, from what the sample file gave: every patient has a postal address. */
export const CHANNEL_GROUPS = ['post only', 'post and e-mail', 'post and mobile', 'post, e-mail and mobile'] as const;

export interface GroupingDefinition {
  label: string;
  /** What the sample gave, as SQL over the patients row aliased p. */
  sql: string;
  groups: readonly string[];
  of: (raw: unknown) => string;
}

/** Age bands by age at discharge: the survey's own (surveyAgeBands), then "unknown". */
function ageBandGrouping(settings: Parameters<typeof surveyAgeBands>[0]): GroupingDefinition {
  const bands = surveyAgeBands(settings);
  return { label: 'Age band', sql: ageAtDischargeSql('p'), groups: [...bands.groups, 'unknown'], of: (raw) => bands.of(raw === null ? null : Number(raw)) ?? 'unknown' };
}

/** The results module's groupings (grouping-variables.ts), applied to every sampled patient rather than to respondents. */
export const GROUPING_DEFINITIONS: Record<Grouping, GroupingDefinition> = {
  // The adult survey's bands; a survey's own are groupingFor's.
  age_band: ageBandGrouping({}),
  sex: { label: 'Sex', sql: 'p.sex', groups: SEX_GROUPS, of: (raw) => sexGroup(raw as string | null) },
  ethnic_group: { label: 'Ethnic group', sql: 'p.ethnicity', groups: ETHNIC_GROUPS, of: (raw) => ethnicGroup(raw as string | null) },
  // NULL until an area lookup has been imported: every patient is then "unknown".
  imd_quintile: { label: 'IMD quintile (1 = most deprived)', sql: 'p.imd_quintile', groups: IMD_QUINTILES, of: (raw) => imdQuintileLabel(raw === null ? null : Number(raw)) },
  tumour_group: { label: 'Tumour group', sql: 'p.icd10', groups: TUMOUR_GROUPS, of: (raw) => tumourGroup(raw as string | null) },
  channel: {
    label: 'Ways to reach the patient', sql: '(p.email IS NOT NULL)::int + 2 * (p.mobile IS NOT NULL)::int', groups: CHANNEL_GROUPS,
    of: (raw) => CHANNEL_GROUPS[Number(raw)],
  },
};

/** A grouping for one survey: by age, the survey's own bands (for questionnaires by age, those bands). */
export function groupingFor(by: Grouping, settings: Parameters<typeof surveyAgeBands>[0]): GroupingDefinition {
  return by === 'age_band' ? ageBandGrouping(settings) : GROUPING_DEFINITIONS[by];
}

export function assertGrouping(by: string): Grouping {
  if ((GROUPINGS as readonly string[]).includes(by)) return by as Grouping;
  throw new DomainError('validation_failed', `That is not a patient grouping: group by one of ${GROUPINGS.join(', ')}`, [{ where: 'by', message: 'not a grouping' }]);
}

export interface GroupRateRow {
  group: string;
  sampled: number;
  outcomes: OutcomeCounts;
  byMode: { paper: number; online: number; phone: number };
  /** Code 1 ÷ (sampled − codes 2, 3, 5, 7): the same definition as the trust report. */
  adjustedRate: number | null;
  unadjustedRate: number | null;
}

export interface GroupedResponseRates {
  survey: string;
  generatedAt: string;
  by: Grouping;
  label: string;
  /** Whose patients: "national", or the trust's code (a trust user's own). */
  scope: string;
  groups: GroupRateRow[];
  total: GroupRateRow;
}

export interface GroupCountRow { raw: unknown; outcome: keyof OutcomeCounts; response_mode: keyof GroupRateRow['byMode'] | null; n: number }

/** Places counts of (raw value, outcome, mode) in their groups and works out the rates once, from the exact counts. */
export function groupRates(by: Grouping, counts: GroupCountRow[], definition: GroupingDefinition = GROUPING_DEFINITIONS[by]): { groups: GroupRateRow[]; total: GroupRateRow } {
  const rows = new Map(definition.groups.map((g) => [g, emptyGroup(g)]));
  const total = emptyGroup('all patients');
  for (const c of counts) {
    const name = definition.of(c.raw);
    let row = rows.get(name);
    if (!row) rows.set(name, (row = emptyGroup(name)));
    for (const r of [row, total]) {
      r.sampled += c.n;
      r.outcomes[c.outcome] += c.n;
      if (c.outcome === 1 && c.response_mode) r.byMode[c.response_mode] += c.n;
    }
  }
  return { groups: [...rows.values()].map(withRates), total: withRates(total) };
}

function emptyGroup(group: string): GroupRateRow {
  return {
    group, sampled: 0, outcomes: Object.fromEntries(OUTCOME_CODES.map((c) => [c, 0])) as OutcomeCounts,
    byMode: { paper: 0, online: 0, phone: 0 }, adjustedRate: null, unadjustedRate: null,
  };
}

function withRates(row: GroupRateRow): GroupRateRow {
  return { ...row, adjustedRate: adjustedRate(row.sampled, row.outcomes), unadjustedRate: percent(row.outcomes[1], row.sampled) };
}
