import {
  breakdown, type BreakdownBy, type Frequencies, type FrequencyCounts, type OrganisationScope, type QuestionTrend, round1,
} from '../results/method';
import type { Respondent as Answerer } from '../questionnaires/questionnaire-definition';
import type { SurveyResults } from '../results/results.service';
import { RESPONDENT_SECTIONS } from '../results/survey-questions';

export const REPORT_LEVELS = ['national', 'trust', 'icb', 'alliance'] as const;
export type ReportLevel = (typeof REPORT_LEVELS)[number];
export type ReportScope = { level: 'national' } | { level: 'trust' | 'icb' | 'alliance'; code: string };

/** The breakdowns a local report carries, with their headings. */
export const REPORT_BREAKDOWNS: { by: BreakdownBy; label: string }[] = [
  { by: 'tumour_group', label: 'Tumour group' },
  { by: 'age_band', label: 'Age band' },
  { by: 'sex', label: 'Sex' },
  { by: 'ethnic_group', label: 'Ethnic group' },
  { by: 'imd_quintile', label: 'IMD quintile (1 most deprived)' },
  // The last grouping variable RESULTS-METHOD keeps: breast cancer that has spread, against everyone else.
  { by: 'secondary_breast_cancer', label: 'Secondary breast cancer' },
];

export interface ResponseRate {
  /** Patients in the sample; eligible leaves out outcomes 2, 3, 5 and 7; responded is outcome 1. */
  sampled: number; eligible: number; responded: number;
  /** Responded ÷ eligible, per cent to one decimal place (the response-rate reports' adjusted rate). */
  rate: number | null;
}

export interface Change { previous: number | null; change: number | null; significant: boolean | null }

/** One evaluative question: figures shown to one decimal place; null where withheld. */
export interface ScoreRow {
  question: string; number: number; text: string;
  /** A questionnaire in parts: whose answers the question scores, the child's or the parent's. */
  respondent?: Answerer;
  base: number; positive: number | null; score: number | null; suppressed: boolean;
  /** The national score, for the chart's line. */
  national: number | null;
  /** Trusts only: case-mix adjustment and the expected range. */
  adjusted?: number | null; expected?: number | null;
  range95?: [number, number] | null; range998?: [number, number] | null;
  flag?: 'above' | 'within' | 'below' | null;
  /** Since the previous survey (null: no previous survey, or the question has no match in it). */
  change: Change | null;
}

export interface FrequencyTable {
  question: string; number: number; text: string;
  respondent?: Answerer;
  answered: number; suppressed: boolean; mean?: number | null;
  options: { value: string; label: string; count: number | null; percent: number | null }[];
}

export interface BreakdownCellShown { group: string; base: number; positive: number | null; score: number | null; suppressed: boolean }
export interface BreakdownTable {
  by: BreakdownBy; label: string;
  rows: { question: string; number: number; cells: BreakdownCellShown[] }[];
}

export interface ReportSection { respondent: Answerer; title: string; respondents: number }

export interface ReportComment { questionNumber: number; question: string; text: string }

export interface LocalReport {
  survey: string; surveyName: string; previousSurvey: string | null;
  level: ReportLevel; code: string | null; name: string;
  threshold: number; generatedAt: string;
  responseRate: ResponseRate;
  /** Respondents in the scope (a completed questionnaire with an answer). */
  respondents: number;
  /**
   * A survey whose questionnaires are in parts (the Under-16 survey's): the children's and the
   * parents' answers as sections, each with how many in the scope answered any of its questions.
   */
  sections?: ReportSection[];
  scores: ScoreRow[];
  frequencies: FrequencyTable[];
  breakdowns: BreakdownTable[];
  /** Trusts only: patients' comments, redacted before they reach the report. */
  comments?: ReportComment[];
}

/** Figures worked out once per survey state and shared by every report of it. */
export interface SharedFigures {
  frequencies: Frequencies[];
  trend: QuestionTrend[] | null;
}

const r1 = (v: number | null | undefined) => (v === null || v === undefined ? null : round1(v));
const pair = (v: [number, number] | null) => (v ? [round1(v[0]), round1(v[1])] as [number, number] : null);

/** The report model from the results figures: pure, so every rendering (JSON, PDF, XLSX, page) shows the same numbers. */
export function buildLocalReport(
  r: SurveyResults, shared: SharedFigures, scope: ReportScope, name: string, responseRate: ResponseRate, comments: ReportComment[],
): LocalReport {
  const org: OrganisationScope | undefined = scope.level === 'national' ? undefined
    : scope.level === 'trust' ? { trust: scope.code } : scope.level === 'icb' ? { icb: scope.code } : { alliance: scope.code };
  const code = scope.level === 'national' ? null : scope.code;
  const text = (id: string) => r.questions.byId.get(id)?.text ?? '';
  const trendOf = new Map((shared.trend ?? []).map((t) => [t.question, t]));
  const settings = r.settings;

  const who = (id: string) => (r.questions.respondentOf.has(id) ? { respondent: r.questions.respondentOf.get(id)! } : {});
  const scores: ScoreRow[] = r.scores.map((s) => {
    const national = s.national.suppressed ? null : r1(s.national.score);
    const t = trendOf.get(s.question);
    const change = (c: { previous: number | null; change: number | null; significant: boolean | null } | undefined): Change | null =>
      (shared.trend === null || !t ? null : c ? { previous: r1(c.previous), change: r1(c.change), significant: c.significant } : { previous: null, change: null, significant: null });
    const row = { question: s.question, number: s.number, text: text(s.question), ...who(s.question), national };
    if (scope.level === 'national') {
      return { ...row, base: s.national.base, positive: s.national.suppressed ? null : s.national.positive, score: national,
        suppressed: s.national.suppressed, change: change(t?.national) };
    }
    if (scope.level === 'trust') {
      const x = s.trusts.find((o) => o.trust === scope.code);
      if (!x) return { ...row, ...withheld, adjusted: null, expected: null, range95: null, range998: null, flag: null, change: change(undefined) };
      return { ...row, base: x.base, positive: x.positive, score: r1(x.score), suppressed: x.suppressed, adjusted: r1(x.adjusted), expected: r1(x.expected),
        range95: pair(x.range95), range998: pair(x.range998), flag: x.flag, change: change(t?.trusts.find((o) => o.trust === scope.code)) };
    }
    const list = scope.level === 'icb' ? s.icbs : s.alliances;
    const x = list.find((o) => o.code === scope.code);
    const before = scope.level === 'icb' ? t?.icbs : t?.alliances;
    if (!x) return { ...row, ...withheld, change: change(undefined) };
    return { ...row, base: x.base, positive: x.positive, score: r1(x.score), suppressed: x.suppressed, change: change(before?.find((o) => o.code === scope.code)) };
  });

  const frequencies: FrequencyTable[] = shared.frequencies.map((f) => {
    const counts = countsFor(f, scope);
    return {
      question: f.question, number: r.questions.byId.get(f.question)?.number ?? 0, text: text(f.question), ...who(f.question),
      answered: counts?.answered ?? 0, suppressed: counts ? counts.suppressed : true,
      ...(counts && 'mean' in counts ? { mean: r1(counts.mean ?? null) } : {}),
      options: (counts?.options ?? f.national.options.map((o) => ({ ...o, count: null, percent: null })))
        .map((o) => ({ value: o.value, label: o.label, count: o.count, percent: r1(o.percent) })),
    };
  });

  const breakdowns: BreakdownTable[] = REPORT_BREAKDOWNS.map(({ by, label }) => {
    const b = breakdown(by, r.questions.evaluative, r.respondents, settings, org);
    return {
      by, label,
      rows: r.questions.evaluative.map((q, k) => ({
        question: q.id, number: q.number,
        cells: b.groups.map((g) => ({ group: g.group, base: g.questions[k].base, positive: g.questions[k].positive, score: r1(g.questions[k].score), suppressed: g.questions[k].suppressed })),
      })),
    };
  });

  const inScope = org === undefined ? r.respondents.respondents
    : r.respondents.respondents.filter((x) => ('trust' in org ? x.trust === org.trust : 'icb' in org ? x.icb === org.icb : x.alliance === org.alliance));
  const respondents = inScope.length;
  // Counted as the results' sections are: anyone in the scope who answered a question of the part.
  const sections: ReportSection[] = (Object.keys(RESPONDENT_SECTIONS) as Answerer[]).flatMap((respondent) => {
    const ids = [...r.questions.respondentOf].filter(([, w]) => w === respondent).map(([id]) => id);
    if (!ids.length) return [];
    return [{ respondent, title: RESPONDENT_SECTIONS[respondent], respondents: inScope.filter((x) => ids.some((id) => answered(x.answers[id]))).length }];
  });

  return {
    survey: r.survey.code, surveyName: r.survey.name, previousSurvey: shared.trend === null ? null : r.settings.previousSurvey ?? null,
    level: scope.level, code, name, threshold: settings.suppressionThreshold, generatedAt: new Date().toISOString(),
    responseRate, respondents, ...(sections.length ? { sections } : {}), scores, frequencies, breakdowns,
    ...(scope.level === 'trust' ? { comments } : {}),
  };
}

const answered = (v: unknown) => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);

/** A report's rows split by section (the children's, the parents'), or null when the survey has no sections. */
export function rowsBySection<T extends { respondent?: Answerer }>(r: LocalReport, rows: T[]): (ReportSection & { rows: T[] })[] | null {
  return r.sections ? r.sections.map((s) => ({ ...s, rows: rows.filter((x) => x.respondent === s.respondent) })) : null;
}

const withheld = { base: 0, positive: null, score: null, suppressed: true };

function countsFor(f: Frequencies, scope: ReportScope): FrequencyCounts | undefined {
  if (scope.level === 'national') return f.national;
  if (scope.level === 'trust') return f.trusts.find((t) => t.trust === scope.code);
  return (scope.level === 'icb' ? f.icbs : f.alliances).find((a) => a.code === scope.code);
}

/** A report's file name: national.pdf, trust-RXX.xlsx, icb-QXX.pdf, alliance-EXX.pdf. */
export function reportFileName(scope: ReportScope, format: 'pdf' | 'xlsx'): string {
  return scope.level === 'national' ? `national.${format}` : `${scope.level}-${scope.code}.${format}`;
}

/** "fewer than 21 respondents": what every rendering prints for a withheld figure. */
export const withheldText = (threshold: number) => `fewer than ${threshold} respondents`;
