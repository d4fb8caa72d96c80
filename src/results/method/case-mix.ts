import { AGE_BANDS, type CaseMixVariable, caseMixVariables, type Respondent } from './groups';
import { fitLogistic, type LogisticFit } from './logistic';

export interface CaseMixDesign {
  /** Column names: "(intercept)", then "variable: category" for each indicator. */
  columns: string[];
  /** Each variable's reference category (most respondents in the base; ties: first listed). */
  references: Record<string, string>;
}

export interface CaseMixModel extends CaseMixDesign {
  fit: Pick<LogisticFit, 'coefficients' | 'iterations' | 'converged' | 'aliased'>;
  /** Predicted probability of a positive answer for each respondent given, in order. */
  predicted: Float64Array;
}

/** The case-mix variables of one survey (its age bands) and how patterns are numbered over them. */
export interface CaseMixSpace {
  readonly variables: readonly CaseMixVariable[];
  readonly levels: readonly number[];
  readonly patterns: number;
  readonly index: readonly Map<string, number>[];
}

const spaces = new Map<string, CaseMixSpace>();

/** The case-mix space of a survey whose age bands are ageBands (the adult bands by default); one per list of bands. */
export function caseMixSpace(ageBands: readonly string[] = AGE_BANDS): CaseMixSpace {
  const key = ageBands.join('\u0000');
  let space = spaces.get(key);
  if (!space) {
    const variables = caseMixVariables([...ageBands]);
    const levels = variables.map((v) => v.categories.length);
    space = { variables, levels, patterns: levels.reduce((a, b) => a * b, 1), index: variables.map((v) => new Map(v.categories.map((c, i) => [c, i]))) };
    spaces.set(key, space);
  }
  return space;
}

/**
 * Each respondent's covariate pattern as one number (mixed radix over the five variables, age
 * the most significant). Respondents sharing a pattern share a predicted probability, so the
 * model is fitted over patterns (at most 8·3·6·6·13 for an adult survey) weighted by how many
 * respondents have each.
 */
export function patternOf(r: Respondent, space: CaseMixSpace = caseMixSpace()): number {
  let key = 0;
  for (let v = 0; v < space.variables.length; v++) {
    const i = space.index[v].get(space.variables[v].of(r));
    if (i === undefined) throw new Error(`respondent ${r.id}: ${space.variables[v].name} is not one of the survey's categories`);
    key = key * space.levels[v] + i;
  }
  return key;
}

/** Decodes pattern key → category index of each variable. */
function decode(space: CaseMixSpace, key: number, out: Int32Array): void {
  for (let v = space.variables.length - 1; v >= 0; v--) {
    out[v] = key % space.levels[v];
    key = Math.floor(key / space.levels[v]);
  }
}

/**
 * Fits the method's case-mix model (step 1) over the respondents in a question's base, with
 * positive[i] saying whether respondent i answered positively; ageBands are the survey's.
 */
export function fitCaseMix(base: readonly Respondent[], positive: ArrayLike<boolean | number>, ageBands: readonly string[] = AGE_BANDS): CaseMixModel {
  const space = caseMixSpace(ageBands);
  const patterns = Int32Array.from(base, (r) => patternOf(r, space));
  return fitCaseMixPatterns(patterns, Uint8Array.from(Array.from({ length: base.length }, (_, i) => (positive[i] ? 1 : 0))), base.length, space);
}

/** fitCaseMix over the first n entries of covariate patterns (patternOf in space) and 0/1 outcomes. */
export function fitCaseMixPatterns(patterns: Int32Array, positive: Uint8Array, n: number, space: CaseMixSpace = caseMixSpace()): CaseMixModel {
  const PATTERNS = space.patterns;
  const count = new Float64Array(PATTERNS);
  const successes = new Float64Array(PATTERNS);
  const categoryCounts = space.levels.map((l) => new Float64Array(l));
  const cats = new Int32Array(space.variables.length);
  for (let i = 0; i < n; i++) {
    count[patterns[i]]++;
    successes[patterns[i]] += positive[i];
  }
  const present: number[] = [];
  for (let key = 0; key < PATTERNS; key++) {
    if (!count[key]) continue;
    present.push(key);
    decode(space, key, cats);
    for (let v = 0; v < cats.length; v++) categoryCounts[v][cats[v]] += count[key];
  }

  // Column of each (variable, category): -1 for the reference and for absent categories.
  const columns = ['(intercept)'];
  const references: Record<string, string> = {};
  const columnOf = space.variables.map((variable, v) => {
    const counts = categoryCounts[v];
    let ref = 0;
    for (let c = 1; c < counts.length; c++) if (counts[c] > counts[ref]) ref = c; // strict: ties keep the first
    references[variable.name] = variable.categories[ref];
    return Array.from(counts, (n, c) => {
      if (c === ref || n === 0) return -1;
      columns.push(`${variable.name}: ${variable.categories[c]}`);
      return columns.length - 1;
    });
  });

  const p = columns.length;
  const rowOfPattern = new Int32Array(PATTERNS).fill(-1);
  const data = new Float64Array(present.length * p);
  const y = new Float64Array(present.length);
  const trials = new Float64Array(present.length);
  present.forEach((key, row) => {
    rowOfPattern[key] = row;
    y[row] = successes[key];
    trials[row] = count[key];
    data[row * p] = 1;
    decode(space, key, cats);
    for (let v = 0; v < cats.length; v++) {
      const col = columnOf[v][cats[v]];
      if (col >= 0) data[row * p + col] = 1;
    }
  });

  const fit = fitLogistic({ rows: present.length, cols: p, data }, y, trials);
  const predicted = new Float64Array(n);
  for (let i = 0; i < n; i++) predicted[i] = fit.probabilities[rowOfPattern[patterns[i]]];
  return {
    columns,
    references,
    fit: { coefficients: fit.coefficients, iterations: fit.iterations, converged: fit.converged, aliased: fit.aliased },
    predicted,
  };
}
