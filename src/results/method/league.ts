import type { QuestionScores } from './scores';
import { DEFAULT_RESULTS_SETTINGS, type ResultsSettings } from './settings';
import type { QuestionTrend } from './trend';

export interface LeagueRow {
  rank: number;
  trust: string;
  respondents: number;
  above: number;
  within: number;
  below: number;
  /** Mean adjusted score over the trust's unsuppressed questions; null when there are none. */
  meanAdjusted: number | null;
  /** Significant improvements minus significant declines since the previous survey (null without trends). */
  improved: number | null;
  declined: number | null;
  netImprovement: number | null;
}

export interface LeagueTable {
  trusts: LeagueRow[];
  /** The same trusts ordered by net improvement (then trust code); empty without trends. */
  mostImproved: { rank: number; trust: string; improved: number; declined: number; netImprovement: number }[];
}

/**
 * The league table (seed 004): trusts with at least `suppressionThreshold` respondents, ranked
 * by (above − below), then mean adjusted score; equal on both share a rank and are listed by
 * trust code. `respondents` is each trust's number of respondents to the survey.
 */
export function leagueTable(
  scores: readonly QuestionScores[],
  respondents: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
  trends?: readonly QuestionTrend[] | null,
  settings: ResultsSettings = DEFAULT_RESULTS_SETTINGS,
): LeagueTable {
  const counts = respondents instanceof Map ? respondents : new Map(Object.entries(respondents));
  const rows = new Map<string, LeagueRow & { adjustedSum: number; adjustedCount: number }>();
  for (const [trust, n] of counts) {
    if (n < settings.suppressionThreshold) continue;
    rows.set(trust, {
      rank: 0, trust, respondents: n, above: 0, within: 0, below: 0, meanAdjusted: null,
      improved: trends ? 0 : null, declined: trends ? 0 : null, netImprovement: null, adjustedSum: 0, adjustedCount: 0,
    });
  }
  for (const q of scores) {
    for (const t of q.trusts) {
      const row = rows.get(t.trust);
      if (!row || t.suppressed || t.flag === null || t.adjusted === null) continue;
      row[t.flag]++;
      row.adjustedSum += t.adjusted;
      row.adjustedCount++;
    }
  }
  for (const q of trends ?? []) {
    for (const t of q.trusts) {
      const row = rows.get(t.trust);
      if (!row || !t.significant || t.change === null) continue;
      if (t.change > 0) row.improved!++;
      else if (t.change < 0) row.declined!++;
    }
  }

  const table: LeagueRow[] = [...rows.values()].map(({ adjustedSum, adjustedCount, ...row }) => ({
    ...row,
    meanAdjusted: adjustedCount ? adjustedSum / adjustedCount : null,
    netImprovement: trends ? row.improved! - row.declined! : null,
  }));
  const byCode = (a: LeagueRow, b: LeagueRow) => (a.trust < b.trust ? -1 : a.trust > b.trust ? 1 : 0);
  const performance = (a: LeagueRow, b: LeagueRow) =>
    (b.above - b.below) - (a.above - a.below) || (b.meanAdjusted ?? -Infinity) - (a.meanAdjusted ?? -Infinity) || 0;
  table.sort((a, b) => performance(a, b) || byCode(a, b));
  rankInPlace(table, performance);

  const mostImproved = trends
    ? table
      .map((r) => ({ rank: 0, trust: r.trust, improved: r.improved!, declined: r.declined!, netImprovement: r.netImprovement! }))
      .sort((a, b) => b.netImprovement - a.netImprovement || (a.trust < b.trust ? -1 : a.trust > b.trust ? 1 : 0))
    : [];
  rankInPlace(mostImproved, (a, b) => b.netImprovement - a.netImprovement);
  return { trusts: table, mostImproved };
}

/** Standard competition ranking (1, 2, 2, 4) over rows already in order. */
function rankInPlace<T extends { rank: number }>(rows: T[], compare: (a: T, b: T) => number): void {
  rows.forEach((row, i) => { row.rank = i > 0 && compare(rows[i - 1], row) === 0 ? rows[i - 1].rank : i + 1; });
}
