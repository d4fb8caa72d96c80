import { classifier, type EvaluativeQuestion } from './classify';
import { BREAKDOWN_GROUPS, type BreakdownBy, type Respondent } from './groups';
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
  groups: { group: string; questions: BreakdownCell[] }[];
}

/**
 * Scores by patient group, every group of the variable listed in table order (empty ones too).
 * For one trust the groups add up to the trust's shown score, so secondary suppression
 * applies per question; nationally it does not (the method limits it to a trust's subgroups).
 */
export function breakdown(
  by: BreakdownBy,
  questions: readonly EvaluativeQuestion[],
  respondents: readonly Respondent[] | PreparedRespondents,
  settings: ResultsSettings = DEFAULT_RESULTS_SETTINGS,
  trust?: string,
): Breakdown {
  const { groups, of } = BREAKDOWN_GROUPS[by];
  const groupIndex = new Map(groups.map((g, i) => [g, i]));
  const base = questions.map(() => new Int32Array(groups.length));
  const positive = questions.map(() => new Int32Array(groups.length));
  const classifiers = questions.map(classifier);
  for (const r of Array.isArray(respondents) ? respondents : (respondents as PreparedRespondents).respondents) {
    if (trust !== undefined && r.trust !== trust) continue;
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
    if (trust !== undefined) {
      const next = secondarySuppression(column);
      if (next !== null) column[next].suppressed = true;
    }
    for (const cell of column) if (cell.suppressed) { cell.positive = null; cell.score = null; }
    return column;
  });

  return {
    by,
    ...(trust !== undefined ? { trust } : {}),
    groups: groups.map((group, g) => ({ group, questions: cells.map((column) => column[g]) })),
  };
}
