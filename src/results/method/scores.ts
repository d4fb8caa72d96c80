import { fitCaseMixPatterns } from './case-mix';
import { classifier, type EvaluativeQuestion } from './classify';
import type { Respondent } from './groups';
import { prepareRespondents, type PreparedRespondents } from './prepared';
import { DEFAULT_RESULTS_SETTINGS, score, Z95, Z998, type ResultsSettings } from './settings';
import { isSuppressed } from './suppression';

export type Flag = 'above' | 'within' | 'below';

export interface NationalScore {
  base: number;
  positive: number;
  score: number | null;
  suppressed: boolean;
}

/** A trust's figures; every figure but the base is null when the trust is suppressed. */
export interface TrustScore {
  trust: string;
  base: number;
  positive: number | null;
  score: number | null;
  expected: number | null;
  adjusted: number | null;
  range95: [number, number] | null;
  range998: [number, number] | null;
  flag: Flag | null;
  suppressed: boolean;
}

export interface AreaScore {
  code: string;
  base: number;
  positive: number | null;
  score: number | null;
  suppressed: boolean;
}

export interface QuestionScores {
  question: string;
  number: number;
  reportKey?: string;
  national: NationalScore;
  trusts: TrustScore[];
  icbs: AreaScore[];
  alliances: AreaScore[];
  /** The case-mix model behind expected and adjusted (null when nobody is in the base). */
  model: { columns: string[]; references: Record<string, string>; coefficients: number[]; iterations: number; converged: boolean } | null;
}

interface Tally { base: number; positive: number; expected: number }

/**
 * Scores for one evaluative question (RESULTS-METHOD "Scores", "Case-mix adjustment"): all on
 * the 0–100 scale and unrounded. Every trust, ICB and Cancer Alliance with a respondent is
 * listed (sorted by code), so tables line up across questions even where a base is empty.
 */
export function questionScores(
  question: EvaluativeQuestion,
  respondents: readonly Respondent[] | PreparedRespondents,
  settings: ResultsSettings = DEFAULT_RESULTS_SETTINGS,
): QuestionScores {
  const all = prepareRespondents(respondents, settings);
  const tallies = (codes: readonly string[]) => codes.map((): Tally => ({ base: 0, positive: 0, expected: 0 }));
  const trusts = tallies(all.trusts);
  const icbs = tallies(all.icbs);
  const alliances = tallies(all.alliances);
  const n = all.respondents.length;
  const classifyAnswers = classifier(question);
  // The base, as indices into the respondents, with each one's pattern and outcome.
  const baseIndex = new Int32Array(n);
  const basePattern = new Int32Array(n);
  const basePositive = new Uint8Array(n);
  let size = 0;
  let nationalPositive = 0;
  for (let i = 0; i < n; i++) {
    const c = classifyAnswers(all.respondents[i].answers);
    if (c !== 'positive' && c !== 'other') continue;
    const pos = c === 'positive' ? 1 : 0;
    baseIndex[size] = i;
    basePattern[size] = all.pattern[i];
    basePositive[size] = pos;
    size++;
    nationalPositive += pos;
    const t = trusts[all.trustOf[i]];
    t.base++; t.positive += pos;
    if (all.icbOf[i] >= 0) { const x = icbs[all.icbOf[i]]; x.base++; x.positive += pos; }
    if (all.allianceOf[i] >= 0) { const x = alliances[all.allianceOf[i]]; x.base++; x.positive += pos; }
  }

  const N = size ? nationalPositive / size : 0;
  const model = size ? fitCaseMixPatterns(basePattern, basePositive, size, all.caseMix) : null;
  if (model) for (let k = 0; k < size; k++) trusts[all.trustOf[baseIndex[k]]].expected += model.predicted[k];

  return {
    question: question.id,
    number: question.number,
    ...(question.reportKey ? { reportKey: question.reportKey } : {}),
    national: { base: size, positive: nationalPositive, score: score(nationalPositive, size), suppressed: isSuppressed(size, settings) },
    trusts: trusts.map((t, k) => trustScore(all.trusts[k], t, N, settings)),
    icbs: icbs.map((t, k) => areaScore(all.icbs[k], t, settings)),
    alliances: alliances.map((t, k) => areaScore(all.alliances[k], t, settings)),
    model: model && {
      columns: model.columns,
      references: model.references,
      coefficients: model.fit.coefficients,
      iterations: model.fit.iterations,
      converged: model.fit.converged,
    },
  };
}

function trustScore(trust: string, t: Tally, N: number, settings: ResultsSettings): TrustScore {
  if (isSuppressed(t.base, settings)) {
    return { trust, base: t.base, positive: null, score: null, expected: null, adjusted: null, range95: null, range998: null, flag: null, suppressed: true };
  }
  const observed = t.positive / t.base;
  const expected = t.expected / t.base;
  const adjusted = Math.min(100, Math.max(0, 100 * (observed - expected + N)));
  const se = Math.sqrt((N * (1 - N)) / t.base);
  const range = (z: number): [number, number] => [100 * (N - z * se), 100 * (N + z * se)];
  const range998 = range(Z998);
  return {
    trust,
    base: t.base,
    positive: t.positive,
    score: 100 * observed,
    expected: 100 * expected,
    adjusted,
    range95: range(Z95),
    range998,
    flag: adjusted > range998[1] ? 'above' : adjusted < range998[0] ? 'below' : 'within',
    suppressed: false,
  };
}

function areaScore(code: string, t: Tally, settings: ResultsSettings): AreaScore {
  const suppressed = isSuppressed(t.base, settings);
  return { code, base: t.base, positive: suppressed ? null : t.positive, score: suppressed ? null : score(t.positive, t.base), suppressed };
}
