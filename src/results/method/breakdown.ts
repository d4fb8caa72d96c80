import { classifier, type EvaluativeQuestion } from './classify';
import { type BreakdownBy, breakdownGroups, type Respondent } from './groups';
import type { PreparedRespondents } from './prepared';
import { DEFAULT_RESULTS_SETTINGS, score, type ResultsSettings } from './settings';
import { isSuppressed, secondarySuppression } from './suppression';

export interface BreakdownCell {
  question: string;
  base: number;
  positive: number | null;
  score: number | null;
  suppressed: boolean;
}

export interface Breakdown {
  by: BreakdownBy;
  trust?: string;
  icb?: string;
  alliance?: string;
  groups: { group: string; questions: BreakdownCell[] }[];
}

/** One organisation's respondents: a trust (by the sample), or an ICB or Cancer Alliance (where the patients live). */
export type OrganisationScope = { trust: string } | { icb: string } | { alliance: string };

function inScope(scope: OrganisationScope | undefined): (r: Respondent) => boolean {
  if (!scope) return () => true;
  if ('trust' in scope) return (r) => r.trust === scope.trust;
  if ('icb' in scope) return (r) => r.icb === scope.icb;
  return (r) => r.alliance === scope.alliance;
}

/**
 * Scores by patient group, every group of the variable listed in table order (empty ones too).
 * For one organisation (a trust, or an ICB or Cancer Alliance in a local report) the groups add
 * up to the organisation's shown score, so secondary suppression applies per question;
 * nationally it does not. A string scope is a trust code. By age, the groups are the survey's
 * bands (settings.ageBands; the adult bands when absent).
 */
export function breakdown(
  by: BreakdownBy,
  questions: readonly EvaluativeQuestion[],
  respondents: readonly Respondent[] | PreparedRespondents,
  settings: ResultsSettings = DEFAULT_RESULTS_SETTINGS,
  scope?: string | OrganisationScope,
): Breakdown {
  const organisation: OrganisationScope | undefined = typeof scope === 'string' ? { trust: scope } : scope;
  const included = inScope(organisation);
  const list = Array.isArray(respondents) ? respondents : (respondents as PreparedRespondents).respondents;
  const { groups, of } = breakdownGroups(by, settings.ageBands);
  const groupIndex = new Map(groups.map((g, i) => [g, i]));
  const base = questions.map(() => new Int32Array(groups.length));
  const positive = questions.map(() => new Int32Array(groups.length));
  const classifiers = questions.map(classifier);
  for (const r of list) {
    if (!included(r)) continue;
    const g = groupIndex.get(of(r));
    if (g === undefined) continue;
    for (let k = 0; k < classifiers.length; k++) {
      const c = classifiers[k](r.answers);
      if (c === 'positive' || c === 'other') base[k][g]++;
      if (c === 'positive') positive[k][g]++;
    }
  }

  const cells: BreakdownCell[][] = questions.map((q, k) => {
    const column = groups.map((_, g): BreakdownCell => ({
      question: q.id, base: base[k][g], positive: positive[k][g], score: score(positive[k][g], base[k][g]),
      suppressed: isSuppressed(base[k][g], settings),
    }));
    if (organisation !== undefined) {
      const next = secondarySuppression(column);
      if (next !== null) column[next].suppressed = true;
    }
    for (const cell of column) if (cell.suppressed) { cell.positive = null; cell.score = null; }
    return column;
  });

  return {
    by,
    ...organisation,
    groups: groups.map((group, g) => ({ group, questions: cells.map((column) => column[g]) })),
  };
}
