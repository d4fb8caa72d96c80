import { BREAKDOWN_GROUPS, type BreakdownBy, type Respondent } from './groups';
import type { PreparedRespondents } from './prepared';
import { DEFAULT_RESULTS_SETTINGS, score, type ResultsSettings } from './settings';
import { isSuppressed, secondarySuppression } from './suppression';

/** Any question that is not free text. Ratings count each whole value from min to max (default 0–10). */
export interface FrequencyQuestion {
  id: string;
  number: number;
  type: 'single' | 'multiple' | 'rating';
  options?: { value: string; label: string }[];
  min?: number;
  max?: number;
}

export interface OptionCount {
  value: string;
  label: string;
  count: number | null;
  /** 100 × count ÷ answered, unrounded (multiple choice can add up to more than 100). */
  percent: number | null;
}

export interface FrequencyCounts {
  /** Respondents who gave at least one recognised answer to the question. */
  answered: number;
  options: OptionCount[];
  /** Mean rating over those who answered (rating questions only). */
  mean?: number | null;
  suppressed: boolean;
}

export interface Frequencies {
  question: string;
  national: FrequencyCounts;
  trusts: ({ trust: string } & FrequencyCounts)[];
  icbs: ({ code: string } & FrequencyCounts)[];
  alliances: ({ code: string } & FrequencyCounts)[];
  /** Present when `by` is asked: the groups of all respondents, or of one trust's. */
  groups?: ({ group: string } & FrequencyCounts)[];
}

class Counter {
  answered = 0;
  sum = 0;
  counts: Int32Array;
  constructor(size: number) { this.counts = new Int32Array(size); }
}

/**
 * Respondents per option and how many answered, nationally, per trust, ICB and Cancer
 * Alliance, and (when asked) per patient group — within one trust when `trust` is given,
 * where secondary suppression applies as in breakdowns.
 */
export function frequencies(
  question: FrequencyQuestion,
  respondents: readonly Respondent[] | PreparedRespondents,
  settings: ResultsSettings = DEFAULT_RESULTS_SETTINGS,
  options: { by?: BreakdownBy; trust?: string } = {},
): Frequencies {
  const choices = choicesOf(question);
  const index = new Map(choices.map((c, i) => [c.value, i]));
  const national = new Counter(choices.length);
  const trusts = new Map<string, Counter>();
  const icbs = new Map<string, Counter>();
  const alliances = new Map<string, Counter>();
  const grouping = options.by ? BREAKDOWN_GROUPS[options.by] : null;
  const groups = grouping ? grouping.groups.map(() => new Counter(choices.length)) : [];
  const groupIndex = new Map(grouping?.groups.map((g, i) => [g, i]));
  const ticked = new Set<number>();

  for (const r of Array.isArray(respondents) ? respondents : (respondents as PreparedRespondents).respondents) {
    const into = [national, counter(trusts, r.trust, choices.length)];
    if (r.icb !== null) into.push(counter(icbs, r.icb, choices.length));
    if (r.alliance !== null) into.push(counter(alliances, r.alliance, choices.length));
    if (grouping && (options.trust === undefined || r.trust === options.trust)) {
      const g = groupIndex.get(grouping.of(r));
      if (g !== undefined) into.push(groups[g]);
    }
    ticked.clear();
    const value = Object.hasOwn(r.answers, question.id) ? r.answers[question.id] : undefined;
    if (question.type === 'rating') {
      if (typeof value === 'number') {
        const i = index.get(String(value));
        if (i !== undefined) ticked.add(i);
      }
    } else if (question.type === 'multiple') {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        const i = typeof v === 'string' ? index.get(v) : undefined;
        if (i !== undefined) ticked.add(i);
      }
    } else if (typeof value === 'string') {
      const i = index.get(value);
      if (i !== undefined) ticked.add(i);
    }
    if (!ticked.size) continue;
    for (const c of into) {
      c.answered++;
      for (const i of ticked) c.counts[i]++;
      if (question.type === 'rating') c.sum += value as number;
    }
  }

  const counts = (c: Counter): FrequencyCounts => {
    const suppressed = isSuppressed(c.answered, settings);
    return {
      answered: c.answered,
      options: choices.map((choice, i) => ({
        ...choice,
        count: suppressed ? null : c.counts[i],
        percent: suppressed ? null : score(c.counts[i], c.answered),
      })),
      ...(question.type === 'rating' ? { mean: suppressed || !c.answered ? null : c.sum / c.answered } : {}),
      suppressed,
    };
  };

  const out: Frequencies = {
    question: question.id,
    national: counts(national),
    trusts: sorted(trusts).map(([trust, c]) => ({ trust, ...counts(c) })),
    icbs: sorted(icbs).map(([code, c]) => ({ code, ...counts(c) })),
    alliances: sorted(alliances).map(([code, c]) => ({ code, ...counts(c) })),
  };
  if (grouping) {
    const cells = groups.map(counts);
    if (options.trust !== undefined) {
      const next = secondarySuppression(cells.map((c) => ({ base: c.answered, suppressed: c.suppressed })));
      if (next !== null) cells[next] = withhold(cells[next]);
    }
    out.groups = grouping.groups.map((group, g) => ({ group, ...cells[g] }));
  }
  return out;
}

function withhold(c: FrequencyCounts): FrequencyCounts {
  return {
    answered: c.answered,
    options: c.options.map((o) => ({ ...o, count: null, percent: null })),
    ...('mean' in c ? { mean: null } : {}),
    suppressed: true,
  };
}

function choicesOf(q: FrequencyQuestion): { value: string; label: string }[] {
  if (q.type !== 'rating') return (q.options ?? []).map(({ value, label }) => ({ value, label }));
  const min = q.min ?? 0, max = q.max ?? 10;
  return Array.from({ length: max - min + 1 }, (_, i) => ({ value: String(min + i), label: String(min + i) }));
}

function counter(map: Map<string, Counter>, key: string, size: number): Counter {
  let c = map.get(key);
  if (!c) map.set(key, (c = new Counter(size)));
  return c;
}

function sorted<T>(map: Map<string, T>): [string, T][] {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
