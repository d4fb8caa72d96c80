import type { Respondent } from './groups';
import type { EvaluativeQuestion } from './classify';

/** "Were you given enough privacy…": 1 positive, 2 other, 3 excluded ("Don't know"). */
export const PRIVACY: EvaluativeQuestion = {
  id: 'privacy', number: 7, reportKey: 'privacy', type: 'single',
  options: [
    { value: '1', label: 'Yes, always', score: 'positive' },
    { value: '2', label: 'Yes, sometimes', score: 'other' },
    { value: '3', label: "Don't know", score: 'excluded' },
  ],
};

let next = 0;
/** A respondent aged 65–74, female, White, IMD 3, Breast, trust RX1 unless told otherwise. */
export function respondent(overrides: Partial<Respondent> = {}): Respondent {
  return {
    id: `r${++next}`, trust: 'RX1', icb: 'QA', alliance: 'A1', ageBand: '65–74', sex: 'female', ethnicGroup: 'White',
    imdQuintile: '3', tumourGroup: 'Breast', secondaryBreastCancer: false, answers: {}, ...overrides,
  };
}

/** n respondents to PRIVACY, the first `positive` of them answering 1 and the rest 2. */
export function answering(n: number, positive: number, overrides: Partial<Respondent> = {}): Respondent[] {
  return Array.from({ length: n }, (_, i) => respondent({ ...overrides, answers: { privacy: i < positive ? '1' : '2' } }));
}
