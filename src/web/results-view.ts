import type { LeagueReport, QuestionScoreReport, ScoresReport, TrustScoreRow } from '../results/results-report';

/**
 * What the results pages show, worked out from the shown (rounded) figures of the results
 * reports, so a page always agrees with the API and the CSV to the decimal place.
 */

/** One decimal place as the method shows figures: 61 → "61.0". */
export const oneDecimal = (v: number | null | undefined): string | null => (v === null || v === undefined ? null : v.toFixed(1));

/**
 * The expected-range chart of one question, on a fixed 0–100 scale so that charts line up down
 * the page: x = LEFT + value × (RIGHT − LEFT) / 100.
 */
export const CHART = { width: 190, height: 46, left: 10, right: 180, barY: 12, barHeight: 14 } as const;
const at = (v: number) => Math.round((CHART.left + (Math.min(100, Math.max(0, v)) / 100) * (CHART.right - CHART.left)) * 100) / 100;
const span = ([lo, hi]: [number | null, number | null]) => ({ x: at(lo ?? 0), width: Math.round((at(hi ?? 100) - at(lo ?? 0)) * 100) / 100 });

const DOT_COLOUR = { above: '#007f3b', within: '#212b32', below: '#d5281b' } as const;

export interface RangeChart {
  outer: { x: number; width: number };
  inner: { x: number; width: number };
  national: number;
  dot: number;
  /** Green above the range, red below, near-black within (the result is also given in words). */
  dotColour: string;
  ticks: { x: number; label: string }[];
}

export function rangeChart(t: TrustScoreRow, national: number): RangeChart | null {
  if (t.suppressed || t.adjusted === null || !t.range95 || !t.range998) return null;
  return {
    outer: span(t.range998), inner: span(t.range95), national: at(national), dot: at(t.adjusted), dotColour: DOT_COLOUR[t.flag ?? 'within'],
    ticks: [0, 50, 100].map((v) => ({ x: at(v), label: String(v) })),
  };
}

const FLAG_TEXT = { above: 'Above the expected range', within: 'Within the expected range', below: 'Below the expected range' } as const;
const FLAG_TAG = { above: 'nhsuk-tag--green', within: 'nhsuk-tag--grey', below: 'nhsuk-tag--red' } as const;

export interface TrustQuestionRow {
  number: number; text: string; base: number; withheld: boolean;
  score: string | null; adjusted: string | null; national: string | null;
  range95: [string, string] | null; range998: [string, string] | null;
  flag: 'above' | 'within' | 'below' | null; flagText: string | null; flagTag: string | null;
  chart: RangeChart | null;
  /** The chart in words, for screen readers (the drawing itself is hidden from them). */
  description: string | null;
}

/** A trust's row per evaluative question; a trust with nobody in a question's base is withheld there. */
export function trustRows(report: ScoresReport, trust: string): TrustQuestionRow[] {
  return report.questions.map((q) => trustRow(q, q.trusts.find((t) => t.trust === trust)));
}

function trustRow(q: QuestionScoreReport, t: TrustScoreRow | undefined): TrustQuestionRow {
  const national = q.national.suppressed ? null : oneDecimal(q.national.score);
  const withheld = !t || t.suppressed;
  const pair = (r: [number | null, number | null] | null) => (r ? [oneDecimal(r[0])!, oneDecimal(r[1])!] as [string, string] : null);
  const row: TrustQuestionRow = {
    number: q.number, text: q.text, base: t?.base ?? 0, withheld, national,
    score: null, adjusted: null, range95: null, range998: null, flag: null, flagText: null, flagTag: null, chart: null, description: null,
  };
  if (withheld || !t) return row;
  row.score = oneDecimal(t.score);
  row.adjusted = oneDecimal(t.adjusted);
  row.range95 = pair(t.range95);
  row.range998 = pair(t.range998);
  row.flag = t.flag;
  row.flagText = t.flag ? FLAG_TEXT[t.flag] : null;
  row.flagTag = t.flag ? FLAG_TAG[t.flag] : null;
  row.chart = q.national.score === null ? null : rangeChart(t, q.national.score);
  if (row.chart && row.range95 && row.range998) {
    row.description = `Adjusted score ${row.adjusted}; expected range ${row.range998[0]} to ${row.range998[1]} (95% range ${row.range95[0]} to ${row.range95[1]}); `
      + `national score ${national}: ${row.flagText!.toLowerCase()}.`;
  }
  return row;
}

export interface TrustSummary { above: number; within: number; below: number; withheld: number }

export function trustSummary(rows: TrustQuestionRow[]): TrustSummary {
  return {
    above: rows.filter((r) => r.flag === 'above').length,
    within: rows.filter((r) => r.flag === 'within').length,
    below: rows.filter((r) => r.flag === 'below').length,
    withheld: rows.filter((r) => r.withheld).length,
  };
}

export interface NationalRow { number: number; text: string; base: number; score: string | null }

export function nationalRows(report: ScoresReport): NationalRow[] {
  return report.questions.map((q) => ({ number: q.number, text: q.text, base: q.national.base, score: q.national.suppressed ? null : oneDecimal(q.national.score) }));
}

/** Rows of one section: the children's or the parents' answers (a survey whose questionnaires are in parts). */
export interface RowSection<T> { respondent: string; title: string; rows: T[] }

/** The rows (one per question of the report, in its order) grouped by section; null when the survey has none. */
export function bySection<T>(report: ScoresReport, rows: T[]): RowSection<T>[] | null {
  if (!report.sections?.length) return null;
  return report.sections.map((s) => ({
    respondent: s.respondent, title: s.title, rows: rows.filter((_, i) => report.questions[i].respondent === s.respondent),
  }));
}

export interface LeagueLine {
  rank: number; trust: string; name: string; respondents: number; above: number; within: number; below: number;
  meanAdjusted: string | null; netImprovement: number | null;
}

export function leagueLines(league: LeagueReport, names: ReadonlyMap<string, string>): LeagueLine[] {
  return league.trusts.map((t) => ({
    rank: t.rank, trust: t.trust, name: names.get(t.trust) ?? t.trust, respondents: t.respondents,
    above: t.above, within: t.within, below: t.below, meanAdjusted: oneDecimal(t.meanAdjusted), netImprovement: t.netImprovement,
  }));
}

/** Every trust with a respondent in the survey, by name, for the coordinator's choice of trust. */
export function trustsWithRespondents(report: ScoresReport, names: ReadonlyMap<string, string>): { code: string; name: string }[] {
  const codes = new Set(report.questions.flatMap((q) => q.trusts.map((t) => t.trust)));
  return [...codes].map((code) => ({ code, name: names.get(code) ?? code })).sort((a, b) => a.name.localeCompare(b.name) || a.code.localeCompare(b.code));
}
