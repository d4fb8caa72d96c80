import type { LocalReport, ScoreRow } from '../local-reports/local-report';

/** A local report as its page shows it: figures as text to one decimal place, a chart per shown score. */

const one = (v: number | null | undefined): string | null => (v === null || v === undefined ? null : v.toFixed(1));

/** The chart of one question on a fixed 0–100 scale (x = LEFT + value × (RIGHT − LEFT) ÷ 100), as on the trust results page. */
export const REPORT_CHART = { width: 190, height: 34, left: 10, right: 180, barY: 6, barHeight: 12 } as const;
const at = (v: number) => Math.round((REPORT_CHART.left + (Math.min(100, Math.max(0, v)) / 100) * (REPORT_CHART.right - REPORT_CHART.left)) * 100) / 100;
const span = (r: [number, number] | null | undefined) => (r ? { x: at(r[0]), width: Math.round((at(r[1]) - at(r[0])) * 100) / 100 } : null);
const DOT = { above: '#007f3b', within: '#212b32', below: '#d5281b' } as const;
const FLAG = { above: 'Above the expected range', within: 'Within the expected range', below: 'Below the expected range' } as const;

export interface ScoreLine {
  respondent?: ScoreRow['respondent'];
  number: number; text: string; base: number; withheld: boolean; score: string | null; adjusted: string | null; national: string | null;
  range: string | null; flagText: string | null;
  chart: { dot: number; dotColour: string; national: number | null; outer: { x: number; width: number } | null; inner: { x: number; width: number } | null } | null;
  change: { text: string; arrow: 'up' | 'down' | 'level' | null; significant: boolean } | null;
}

export function scoreLines(r: LocalReport): ScoreLine[] {
  return r.scores.map((s) => line(r, s));
}

function line(r: LocalReport, s: ScoreRow): ScoreLine {
  const withheld = s.suppressed || s.score === null;
  const dot = r.level === 'trust' ? s.adjusted : s.score;
  const c = s.change;
  return {
    ...(s.respondent ? { respondent: s.respondent } : {}),
    number: s.number, text: s.text, base: s.base, withheld, score: one(s.score), adjusted: one(s.adjusted), national: one(s.national),
    range: s.range998 ? `${one(s.range998[0])} to ${one(s.range998[1])}` : null, flagText: s.flag ? FLAG[s.flag] : null,
    chart: withheld || dot === null || dot === undefined ? null : {
      dot: at(dot), dotColour: DOT[s.flag ?? 'within'], national: s.national === null ? null : at(s.national), outer: span(s.range998), inner: span(s.range95),
    },
    change: !c ? null : c.change === null ? { text: 'no comparison', arrow: null, significant: false } : {
      text: `${c.change > 0 ? '+' : ''}${one(c.change)} (was ${one(c.previous)})${c.significant ? ', significant' : ''}`,
      arrow: c.change > 0 ? 'up' : c.change < 0 ? 'down' : 'level', significant: c.significant === true,
    },
  };
}

/** Path of a report's page and of its API (downloads), by level. */
export function reportPaths(r: LocalReport): { page: string; api: string } {
  const tail = r.level === 'national' ? 'national' : `${r.level}/${encodeURIComponent(r.code!)}`;
  const survey = encodeURIComponent(r.survey);
  return { page: `/reports/${survey}/${tail}`, api: `/api/surveys/${survey}/results/reports/${tail}` };
}
