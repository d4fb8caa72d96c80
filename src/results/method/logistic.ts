/** A dense design matrix, row-major: row i, column j is data[i * cols + j]. */
export interface DesignMatrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface LogisticFit {
  coefficients: number[];
  /** Fitted probability of a positive answer for each row of X. */
  probabilities: Float64Array;
  iterations: number;
  /** False when coefficients still moved by more than the tolerance after the last iteration (e.g. separation). */
  converged: boolean;
  /** Columns found to be linear combinations of earlier ones; their coefficient stays 0. */
  aliased: boolean[];
}

export const MAX_ITERATIONS = 25;
export const TOLERANCE = 1e-8;
/** A pivot this small relative to its own diagonal entry means the column adds nothing new. */
const ALIAS_TOLERANCE = 1e-11;

/**
 * Logistic regression by Newton–Raphson (IRLS) from zero, until no coefficient moves by more
 * than 1e-8, at most 25 iterations. y holds successes; with `trials` each row is a binomial
 * group of that many respondents (the case-mix model groups respondents with identical
 * covariates, which gives the same likelihood as one row per respondent).
 *
 * The design is mostly 0/1 indicators, so each row is read once into its non-zero entries and
 * XᵀWX is accumulated over those pairs only; the loop itself allocates nothing.
 */
export function fitLogistic(X: DesignMatrix | number[][], y: ArrayLike<number>, trials?: ArrayLike<number>): LogisticFit {
  const m = Array.isArray(X) ? toMatrix(X) : X;
  const { rows: n, cols: p } = m;
  if (y.length !== n || (trials && trials.length !== n)) throw new Error('fitLogistic: X, y and trials must have the same number of rows');

  // Sparse rows: start[i]..start[i+1] index nzCol / nzVal.
  const start = new Int32Array(n + 1);
  let nnz = 0;
  for (let k = 0; k < n * p; k++) if (m.data[k] !== 0) nnz++;
  const nzCol = new Int32Array(nnz);
  const nzVal = new Float64Array(nnz);
  for (let i = 0, k = 0; i < n; i++) {
    start[i] = k;
    for (let j = 0; j < p; j++) {
      const v = m.data[i * p + j];
      if (v !== 0) { nzCol[k] = j; nzVal[k] = v; k++; }
    }
    start[i + 1] = k;
  }

  const beta = new Float64Array(p);
  const step = new Float64Array(p);
  const H = new Float64Array(p * p);
  const L = new Float64Array(p * p);
  const g = new Float64Array(p);
  const aliased = new Uint8Array(p);
  let iterations = 0;
  let converged = false;

  while (iterations < MAX_ITERATIONS) {
    iterations++;
    H.fill(0);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const a = start[i], b = start[i + 1];
      let eta = 0;
      for (let k = a; k < b; k++) eta += beta[nzCol[k]] * nzVal[k];
      const prob = sigmoid(eta);
      const t = trials ? trials[i] : 1;
      const w = t * prob * (1 - prob);
      const r = y[i] - t * prob;
      for (let k = a; k < b; k++) {
        const cj = nzCol[k], vj = nzVal[k];
        g[cj] += r * vj;
        const wv = w * vj;
        const row = cj * p;
        for (let l = k; l < b; l++) H[row + nzCol[l]] += wv * nzVal[l];
      }
    }
    // Columns are visited in increasing order, so the upper triangle holds the sums; mirror it.
    for (let j = 0; j < p; j++) for (let k = j + 1; k < p; k++) H[k * p + j] = H[j * p + k];
    solveSymmetric(H, g, p, L, step, aliased);
    let moved = 0;
    for (let j = 0; j < p; j++) {
      if (!Number.isFinite(step[j])) { moved = Infinity; break; }
      beta[j] += step[j];
      moved = Math.max(moved, Math.abs(step[j]));
    }
    if (!Number.isFinite(moved)) break;
    if (moved <= TOLERANCE) { converged = true; break; }
  }

  const probabilities = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let eta = 0;
    for (let k = start[i]; k < start[i + 1]; k++) eta += beta[nzCol[k]] * nzVal[k];
    probabilities[i] = sigmoid(eta);
  }
  return { coefficients: Array.from(beta), probabilities, iterations, converged, aliased: Array.from(aliased, (v) => v === 1) };
}

export function toMatrix(rows: number[][]): DesignMatrix {
  const cols = rows.length ? rows[0].length : 0;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => {
    if (row.length !== cols) throw new Error('fitLogistic: every row of X needs the same number of columns');
    data.set(row, i * cols);
  });
  return { rows: rows.length, cols, data };
}

function sigmoid(eta: number): number {
  if (eta >= 0) return 1 / (1 + Math.exp(-eta));
  const e = Math.exp(eta);
  return e / (1 + e);
}

/**
 * Solves A x = b for symmetric positive semi-definite A (p × p) by Cholesky. A column whose
 * pivot vanishes (collinear with earlier columns, or no information left in it) is marked
 * aliased and gets x = 0, as R's glm drops aliased columns; the rest solve exactly.
 */
export function solveSymmetric(A: Float64Array, b: Float64Array, p: number, L: Float64Array, x: Float64Array, aliased: Uint8Array): void {
  L.fill(0);
  for (let j = 0; j < p; j++) {
    let d = A[j * p + j];
    for (let k = 0; k < j; k++) d -= L[j * p + k] * L[j * p + k];
    if (!(d > ALIAS_TOLERANCE * A[j * p + j]) || !(d > 0)) {
      aliased[j] = 1;
      continue; // column j of L stays zero
    }
    aliased[j] = 0;
    const ljj = Math.sqrt(d);
    L[j * p + j] = ljj;
    for (let i = j + 1; i < p; i++) {
      let s = A[i * p + j];
      for (let k = 0; k < j; k++) s -= L[i * p + k] * L[j * p + k];
      L[i * p + j] = s / ljj;
    }
  }
  // Forward: L z = b (z kept in x), skipping aliased rows.
  for (let i = 0; i < p; i++) {
    if (aliased[i]) { x[i] = 0; continue; }
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * p + k] * x[k];
    x[i] = s / L[i * p + i];
  }
  // Backward: Lᵀ x = z.
  for (let i = p - 1; i >= 0; i--) {
    if (aliased[i]) { x[i] = 0; continue; }
    let s = x[i];
    for (let k = i + 1; k < p; k++) s -= L[k * p + i] * x[k];
    x[i] = s / L[i * p + i];
  }
}
