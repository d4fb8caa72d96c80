import { csvLines, type CsvValue } from '../infra/csv';
import { type Breakdown, type Frequencies, type LeagueTable, type QuestionTrend, round1 } from './method';
import type { Respondent } from '../questionnaires/questionnaire-definition';
import type { SurveyResults } from './results.service';
import { RESPONDENT_SECTIONS, type SurveyQuestions } from './survey-questions';

/** Shown figures: one decimal place, rounded half up (the method compares unrounded values). */
const r1 = (v: number | null) => round1(v);
const range = (v: [number, number] | null) => (v ? [r1(v[0]), r1(v[1])] as [number | null, number | null] : null);

export interface TrustScoreRow {
  trust: string; base: number; positive: number | null; score: number | null; expected: number | null; adjusted: number | null;
  range95: [number | null, number | null] | null; range998: [number | null, number | null] | null; flag: 'above' | 'within' | 'below' | null; suppressed: boolean;
}
export interface AreaScoreRow { code: string; base: number; positive: number | null; score: number | null; suppressed: boolean }
export interface QuestionScoreReport {
  question: string; number: number; text: string;
  /** Who answered it, in a survey whose questionnaires are in parts (the Under-16 survey): child or parent. */
  respondent?: Respondent;
  national: { base: number; positive: number | null; score: number | null; suppressed: boolean };
  trusts: TrustScoreRow[]; icbs: AreaScoreRow[]; alliances: AreaScoreRow[];
}
export interface ScoresReport {
  survey: string; respondents: number; threshold: number; questions: QuestionScoreReport[];
  /**
   * A survey whose questionnaires are in parts: the children's and the parents' answers as
   * sections, each with its questions and how many answered it, nationally and per trust.
   */
  sections?: SectionReport[];
}
export interface SectionReport {
  respondent: Respondent; title: string; questions: string[];
  national: { respondents: number }; trusts: { trust: string; respondents: number }[];
}
export type BreakdownReport = { survey: string } & Breakdown;
export interface FrequenciesReport { survey: string; questions: Frequencies[] }
export interface TrendReport { survey: string; previousSurvey: string; questions: QuestionTrend[] }
export type LeagueReport = { survey: string; previousSurvey: string | null } & LeagueTable;

const SHOWN_FIGURES = new Set(['score', 'expected', 'adjusted', 'percent', 'mean', 'current', 'previous', 'change', 'meanAdjusted']);

/** A report as shown: every score-like figure to one decimal place; counts, flags and codes as they are. */
export function shown<T>(value: T): T {
  if (Array.isArray(value)) return value.map(shown) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SHOWN_FIGURES.has(k) && typeof v === 'number' ? r1(v) : shown(v)])) as T;
}

/** The scores contract; a trust user's copy holds their trust only, and no ICB or Alliance rows. */
export function scoresReport(r: SurveyResults, trust: string | null): ScoresReport {
  const sections = sectionsReport(r, trust);
  return {
    survey: r.survey.code, respondents: r.respondents.respondents.length, threshold: r.settings.suppressionThreshold,
    ...(sections.length ? { sections } : {}),
    questions: r.scores.map((s) => ({
      question: s.question, number: s.number, text: r.questions.byId.get(s.question)?.text ?? '',
      ...(r.questions.respondentOf.has(s.question) ? { respondent: r.questions.respondentOf.get(s.question) } : {}),
      // Withheld nationally as everywhere: only the base of a figure resting on too few respondents is shown.
      national: { base: s.national.base, positive: s.national.suppressed ? null : s.national.positive, score: s.national.suppressed ? null : r1(s.national.score), suppressed: s.national.suppressed },
      trusts: s.trusts.filter((t) => trust === null || t.trust === trust).map((t) => ({
        trust: t.trust, base: t.base, positive: t.positive, score: r1(t.score), expected: r1(t.expected), adjusted: r1(t.adjusted),
        range95: range(t.range95), range998: range(t.range998), flag: t.flag, suppressed: t.suppressed,
      })),
      icbs: trust === null ? s.icbs.map(area) : [],
      alliances: trust === null ? s.alliances.map(area) : [],
    })),
  };
}

/** The children's and the parents' sections: a respondent counts in a section when they answered any of its questions. */
function sectionsReport(r: SurveyResults, trust: string | null): SectionReport[] {
  const out: SectionReport[] = [];
  for (const respondent of ['child', 'parent'] as Respondent[]) {
    const ids = [...r.questions.respondentOf].filter(([, who]) => who === respondent).map(([id]) => id);
    if (!ids.length) continue;
    const counted = r.respondents.respondents.filter((x) => ids.some((id) => answered(x.answers[id])));
    const perTrust = new Map<string, number>();
    for (const x of counted) perTrust.set(x.trust, (perTrust.get(x.trust) ?? 0) + 1);
    out.push({
      respondent, title: RESPONDENT_SECTIONS[respondent], questions: r.scores.map((s) => s.question).filter((id) => ids.includes(id)),
      national: { respondents: counted.length },
      trusts: [...perTrust].filter(([code]) => trust === null || code === trust).sort(([a], [b]) => a.localeCompare(b)).map(([code, n]) => ({ trust: code, respondents: n })),
    });
  }
  return out;
}

const answered = (v: unknown) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);

/** A per-question table marked with who answered the question, in a survey whose questionnaires are in parts. */
export function withRespondent<T extends { question: string }>(questions: SurveyQuestions, table: T): T & { respondent?: Respondent } {
  const respondent = questions.respondentOf.get(table.question);
  return respondent ? { ...table, respondent } : table;
}

const area = (a: AreaScoreRow): AreaScoreRow => ({ code: a.code, base: a.base, positive: a.positive, score: r1(a.score), suppressed: a.suppressed });

/** A trust user's copy of a per-organisation table: their trust's rows and the national ones. */
export function withoutOtherTrusts<T extends { trusts: { trust: string }[]; icbs: unknown[]; alliances: unknown[] }>(table: T, trust: string | null): T {
  return trust === null ? table : { ...table, trusts: table.trusts.filter((t) => t.trust === trust), icbs: [], alliances: [] };
}

const blankIfSuppressed = (suppressed: boolean, v: CsvValue) => (suppressed || v === null ? '' : v);

export type ScoresLevel = 'national' | 'trust' | 'icb' | 'alliance';

/**
 * Long format: one line per question and organisation; withheld figures blank, as the method asks.
 * `level`: that level's lines only (the open-data tables). A survey whose questionnaires are in
 * parts adds a last column, `respondent` (child or parent): whose answers the line scores.
 */
export function scoresCsv(report: ScoresReport, level?: ScoresLevel): string {
  const parts = !!report.sections?.length;
  const rows: CsvValue[][] = [['question', 'number', 'level', 'code', 'base', 'positive', 'score', 'expected', 'adjusted',
    'range95_low', 'range95_high', 'range998_low', 'range998_high', 'flag', 'suppressed', ...(parts ? ['respondent'] : [])]];
  for (const q of report.questions) {
    const push = (row: CsvValue[]) => rows.push(parts ? [...row, q.respondent ?? ''] : row);
    const n = q.national;
    push([q.question, q.number, 'national', 'national', n.base, blankIfSuppressed(n.suppressed, n.positive), blankIfSuppressed(n.suppressed, n.score), '', '', '', '', '', '', '', n.suppressed ? 'yes' : 'no']);
    for (const t of q.trusts) {
      const s = t.suppressed;
      push([q.question, q.number, 'trust', t.trust, t.base, blankIfSuppressed(s, t.positive), blankIfSuppressed(s, t.score), blankIfSuppressed(s, t.expected),
        blankIfSuppressed(s, t.adjusted), blankIfSuppressed(s, t.range95?.[0] ?? null), blankIfSuppressed(s, t.range95?.[1] ?? null),
        blankIfSuppressed(s, t.range998?.[0] ?? null), blankIfSuppressed(s, t.range998?.[1] ?? null), t.flag ?? '', s ? 'yes' : 'no']);
    }
    for (const [areaLevel, list] of [['icb', q.icbs], ['alliance', q.alliances]] as const) {
      for (const a of list) push([q.question, q.number, areaLevel, a.code, a.base, blankIfSuppressed(a.suppressed, a.positive), blankIfSuppressed(a.suppressed, a.score), '', '', '', '', '', '', '', a.suppressed ? 'yes' : 'no']);
    }
  }
  return csvLines(level ? rows.filter((row, i) => i === 0 || row[2] === level) : rows);
}

export function breakdownCsv(report: BreakdownReport): string {
  return csvLines([['by', 'trust', 'group', 'question', 'base', 'positive', 'score', 'suppressed'],
    ...report.groups.flatMap((g) => g.questions.map((q) => [report.by, report.trust ?? 'national', g.group, q.question, q.base,
      blankIfSuppressed(q.suppressed, q.positive), blankIfSuppressed(q.suppressed, r1(q.score)), q.suppressed ? 'yes' : 'no']))]);
}

export function frequenciesCsv(report: FrequenciesReport): string {
  const rows: CsvValue[][] = [['question', 'level', 'code', 'answered', 'option', 'label', 'count', 'percent', 'suppressed']];
  for (const f of report.questions) {
    const lines: [string, string, Frequencies['national']][] = [['national', 'national', f.national],
      ...f.trusts.map((t) => ['trust', t.trust, t] as [string, string, Frequencies['national']]),
      ...f.icbs.map((a) => ['icb', a.code, a] as [string, string, Frequencies['national']]),
      ...f.alliances.map((a) => ['alliance', a.code, a] as [string, string, Frequencies['national']])];
    for (const [level, code, counts] of lines) {
      for (const o of counts.options) {
        rows.push([f.question, level, code, counts.answered, o.value, o.label, blankIfSuppressed(counts.suppressed, o.count),
          blankIfSuppressed(counts.suppressed, r1(o.percent)), counts.suppressed ? 'yes' : 'no']);
      }
    }
  }
  return csvLines(rows);
}

export function trendCsv(report: TrendReport): string {
  const rows: CsvValue[][] = [['question', 'previous_question', 'level', 'code', 'score', 'previous_score', 'change', 'significant']];
  for (const t of report.questions) {
    const line = (level: string, code: string, c: { current: number | null; previous: number | null; change: number | null; significant: boolean | null }) =>
      rows.push([t.question, t.previousQuestion, level, code, r1(c.current) ?? '', r1(c.previous) ?? '', r1(c.change) ?? '', c.significant === null ? '' : c.significant ? 'yes' : 'no']);
    line('national', 'national', t.national);
    t.trusts.forEach((x) => line('trust', x.trust, x));
    t.icbs.forEach((x) => line('icb', x.code, x));
    t.alliances.forEach((x) => line('alliance', x.code, x));
  }
  return csvLines(rows);
}

export function leagueCsv(report: LeagueReport): string {
  return csvLines([['rank', 'trust', 'respondents', 'above', 'within', 'below', 'mean_adjusted', 'improved', 'declined', 'net_improvement'],
    ...report.trusts.map((t) => [t.rank, t.trust, t.respondents, t.above, t.within, t.below, r1(t.meanAdjusted) ?? '', t.improved ?? '', t.declined ?? '', t.netImprovement ?? ''])]);
}
