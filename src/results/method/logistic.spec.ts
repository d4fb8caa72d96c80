import { fitCaseMix } from './case-mix';
import { AGE_BANDS, IMD_QUINTILES, TUMOUR_GROUPS, type Respondent } from './groups';
import { fitLogistic } from './logistic';
import { respondent } from './fixtures.spec-helper';

/** Xᵀ(y − p): zero at the maximum-likelihood solution (the score equations). */
function scoreEquations(X: number[][], y: number[], p: ArrayLike<number>): number[] {
  return X[0].map((_, j) => X.reduce((s, row, i) => s + row[j] * (y[i] - p[i]), 0));
}

describe('the logistic fit', () => {
  it('gives the log-odds of each group for a single binary covariate (the closed form)', () => {
    // Group 0: 3 positive of 10 → intercept = ln(3/7) = −0.847298.
    // Group 1: 8 positive of 10 → ln(8/2) = 1.386294; coefficient = 1.386294 + 0.847298 = ln(28/3) = 2.233592.
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 10; i++) { X.push([1, 0]); y.push(i < 3 ? 1 : 0); }
    for (let i = 0; i < 10; i++) { X.push([1, 1]); y.push(i < 8 ? 1 : 0); }
    const fit = fitLogistic(X, y);
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThanOrEqual(25);
    expect(fit.coefficients[0]).toBeCloseTo(-0.847298, 6);
    expect(fit.coefficients[1]).toBeCloseTo(2.233592, 6);
    expect(fit.probabilities[0]).toBeCloseTo(0.3, 10);
    expect(fit.probabilities[19]).toBeCloseTo(0.8, 10);
  });

  it('solves the score equations Xᵀ(y − p) = 0 with a continuous covariate and two indicators', () => {
    const X: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 60; i++) {
      const x = (i % 7) - 3;
      X.push([1, x / 2, i % 3 === 0 ? 1 : 0, i % 5 === 1 ? 1 : 0]);
      y.push((i * 37) % 11 < 6 + (x > 0 ? 2 : 0) ? 1 : 0);
    }
    const fit = fitLogistic(X, y);
    expect(fit.converged).toBe(true);
    for (const g of scoreEquations(X, y, fit.probabilities)) expect(Math.abs(g)).toBeLessThan(1e-9);
  });

  it('gives the same fit from grouped counts as from one row per respondent', () => {
    // Groups: (x=0) 3 of 10, (x=1) 8 of 10, as in the closed-form case.
    const fit = fitLogistic([[1, 0], [1, 1]], [3, 8], [10, 10]);
    expect(fit.coefficients[0]).toBeCloseTo(Math.log(3 / 7), 9);
    expect(fit.coefficients[1]).toBeCloseTo(Math.log(28 / 3), 9);
  });

  it('stops at 25 iterations and says it did not converge when the outcome is separated', () => {
    // Everyone with x = 1 is positive, everyone with x = 0 is not: the MLE is at infinity.
    const fit = fitLogistic([[1, 0], [1, 0], [1, 1], [1, 1]], [0, 0, 1, 1]);
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(25);
    expect(fit.probabilities[0]).toBeLessThan(1e-6);
    expect(fit.probabilities[3]).toBeGreaterThan(1 - 1e-6);
    expect(fit.coefficients.every(Number.isFinite)).toBe(true);
  });

  it('leaves a column that repeats another at zero and still fits the rest', () => {
    // Column 2 = column 1: the groups are still 3 of 10 and 8 of 10.
    const fit = fitLogistic([[1, 0, 0], [1, 1, 1]], [3, 8], [10, 10]);
    expect(fit.aliased).toEqual([false, false, true]);
    expect(fit.coefficients[2]).toBe(0);
    expect(fit.probabilities[0]).toBeCloseTo(0.3, 9);
    expect(fit.probabilities[1]).toBeCloseTo(0.8, 9);
  });
});

describe('the case-mix model', () => {
  it('takes as reference the category with most respondents in the base, the first listed on a tie, and gives absent categories no column', () => {
    // age: 55–64 ×3, 65–74 ×3, 75–84 ×2 → 55–64 (tie, listed first); sex: female 5, male 3;
    // ethnic group: all White (no column); IMD: 2 ×4, unknown ×4 → 2 (tie); tumour: Lung 5, Breast 3.
    const rows: [Respondent['ageBand'], Respondent['sex'], Respondent['imdQuintile'], Respondent['tumourGroup']][] = [
      ['55–64', 'female', '2', 'Lung'], ['55–64', 'female', '2', 'Lung'], ['55–64', 'male', 'unknown', 'Breast'],
      ['65–74', 'female', 'unknown', 'Lung'], ['65–74', 'male', '2', 'Lung'], ['65–74', 'female', 'unknown', 'Breast'],
      ['75–84', 'male', '2', 'Lung'], ['75–84', 'female', 'unknown', 'Breast'],
    ];
    const base = rows.map(([ageBand, sex, imdQuintile, tumourGroup]) => respondent({ ageBand, sex, imdQuintile, tumourGroup }));
    const model = fitCaseMix(base, [1, 0, 1, 1, 0, 1, 0, 1]);
    expect(model.references).toEqual({
      'age band': '55–64', sex: 'female', 'ethnic group': 'White', 'IMD quintile': '2', 'tumour group': 'Lung',
    });
    expect(model.columns).toEqual([
      '(intercept)', 'age band: 65–74', 'age band: 75–84', 'sex: male', 'IMD quintile: unknown', 'tumour group: Breast',
    ]);
  });

  it('takes its age categories from the survey\'s own bands, in their order, and refuses a respondent in none of them', () => {
    // 0–4 ×2, 5–9 ×2, 10–15 ×1: a tie between 0–4 and 5–9 goes to the band listed first.
    const bands = ['0–4', '5–9', '10–15'];
    const base = ['10–15', '5–9', '0–4', '5–9', '0–4'].map((ageBand) => respondent({ ageBand }));
    const model = fitCaseMix(base, [1, 0, 1, 1, 0], bands);
    expect(model.references['age band']).toBe('0–4');
    expect(model.columns).toEqual(['(intercept)', 'age band: 5–9', 'age band: 10–15']);
    expect(() => fitCaseMix([respondent({ ageBand: '0–7' })], [1], bands)).toThrow(/age band is not one of the survey's categories/);
    expect(() => fitCaseMix([respondent({ ageBand: '0–4' })], [1])).toThrow(/age band is not one of the survey's categories/);
  });

  it('with nothing varying, predicts the national proportion for everyone', () => {
    const base = Array.from({ length: 5 }, () => respondent());
    const model = fitCaseMix(base, [1, 1, 0, 1, 0]);
    expect(model.columns).toEqual(['(intercept)']);
    for (const p of model.predicted) expect(p).toBeCloseTo(3 / 5, 10);
  });

  it('solves the score equations per respondent when respondents are grouped by covariate pattern', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const base = Array.from({ length: 500 }, () => respondent({
      ageBand: AGE_BANDS[Math.floor(random() * 8)],
      sex: random() < 0.5 ? 'male' : 'female',
      imdQuintile: IMD_QUINTILES[Math.floor(random() * 6)],
      tumourGroup: TUMOUR_GROUPS[Math.floor(random() * 4)],
    }));
    const y = base.map((r) => (random() < (r.sex === 'male' ? 0.5 : 0.75) ? 1 : 0));
    const model = fitCaseMix(base, y);
    expect(model.fit.converged).toBe(true);
    // Rebuild each respondent's row of X from the column names.
    const value: Record<string, (r: Respondent) => string> = {
      'age band': (r) => r.ageBand, sex: (r) => r.sex, 'ethnic group': (r) => r.ethnicGroup,
      'IMD quintile': (r) => r.imdQuintile, 'tumour group': (r) => r.tumourGroup,
    };
    const X = base.map((r) => model.columns.map((c) => {
      if (c === '(intercept)') return 1;
      const [variable, category] = c.split(': ');
      return value[variable](r) === category ? 1 : 0;
    }));
    expect(model.columns.length).toBe(1 + 7 + 1 + 5 + 3);
    for (const g of scoreEquations(X, y, model.predicted)) expect(Math.abs(g)).toBeLessThan(1e-7);
  });
});
