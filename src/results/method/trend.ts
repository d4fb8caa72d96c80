import type { QuestionScores } from './scores';
import { Z95 } from './settings';

export interface Change {
  /** Scores (0–100, unrounded) this survey and the previous one. */
  current: number | null;
  previous: number | null;
  /** Percentage points; null when either figure is withheld or missing. */
  change: number | null;
  significant: boolean | null;
}

export interface QuestionTrend {
  question: string;
  reportKey: string;
  previousQuestion: string;
  /** Nationally also how many more (or fewer) patients gave a positive answer; null when either year's count is withheld. */
  national: Change & { positiveChange: number | null };
  trusts: ({ trust: string } & Change)[];
  icbs: ({ code: string } & Change)[];
  alliances: ({ code: string } & Change)[];
}

interface Figures { base: number; positive: number | null; suppressed: boolean }

/**
 * Change since the previous survey for every question of this survey that has a reportKey also
 * found in the previous one. Organisations are those of this survey.
 */
export function trend(current: readonly QuestionScores[], previous: readonly QuestionScores[]): QuestionTrend[] {
  const before = new Map(previous.filter((q) => q.reportKey).map((q) => [q.reportKey!, q]));
  const out: QuestionTrend[] = [];
  for (const now of current) {
    const then = now.reportKey ? before.get(now.reportKey) : undefined;
    if (!then) continue;
    const trusts = new Map(then.trusts.map((t) => [t.trust, t]));
    const icbs = new Map(then.icbs.map((a) => [a.code, a]));
    const alliances = new Map(then.alliances.map((a) => [a.code, a]));
    out.push({
      question: now.question,
      reportKey: now.reportKey!,
      previousQuestion: then.question,
      national: { ...change(now.national, then.national), positiveChange: positiveChange(now.national, then.national) },
      trusts: now.trusts.map((t) => ({ trust: t.trust, ...change(t, trusts.get(t.trust)) })),
      icbs: now.icbs.map((a) => ({ code: a.code, ...change(a, icbs.get(a.code)) })),
      alliances: now.alliances.map((a) => ({ code: a.code, ...change(a, alliances.get(a.code)) })),
    });
  }
  return out;
}

function change(now: Figures, then: Figures | undefined): Change {
  const shown = (f: Figures | undefined): f is Figures & { positive: number } =>
    !!f && !f.suppressed && f.positive !== null && f.base > 0;
  const current = shown(now) ? (100 * now.positive) / now.base : null;
  const previous = shown(then) ? (100 * then.positive) / then.base : null;
  if (!shown(now) || !shown(then)) return { current, previous, change: null, significant: null };
  return {
    current,
    previous,
    change: current! - previous!,
    significant: significantChange(now.positive, now.base, then.positive, then.base),
  };
}

/** A withheld count stays withheld: the difference with a shown one would give it away. */
function positiveChange(now: Figures, then: Figures): number | null {
  return now.suppressed || then.suppressed || now.positive === null || then.positive === null ? null : now.positive - then.positive;
}

/** |p1 − p2| > 1.959964 · √(p(1 − p)(1/n1 + 1/n2)), p the pooled proportion. */
export function significantChange(x1: number, n1: number, x2: number, n2: number): boolean {
  const p = (x1 + x2) / (n1 + n2);
  return Math.abs(x1 / n1 - x2 / n2) > Z95 * Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
}
