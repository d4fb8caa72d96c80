import { classify, type EvaluativeQuestion } from './classify';
import { answering, PRIVACY, respondent } from './fixtures.spec-helper';
import { questionScores } from './scores';
import { round1 } from './settings';

describe('classifying an answer', () => {
  const SUPPORT: EvaluativeQuestion = {
    id: 'support', number: 20, type: 'multiple',
    options: [
      { value: '1', label: 'Financial advice', score: 'positive' },
      { value: '2', label: 'Emotional support', score: 'positive' },
      { value: '3', label: 'I was offered nothing', score: 'other' },
      { value: '4', label: 'It was not needed', score: 'excluded' },
    ],
  };

  it('reads a single-choice answer through its option mark and ignores values that are not options', () => {
    expect(['1', '2', '3', '9'].map((v) => classify(PRIVACY, { privacy: v }))).toEqual(['positive', 'other', 'excluded', 'unanswered']);
    expect(classify(PRIVACY, {})).toBe('unanswered');
    expect(classify(PRIVACY, { privacy: ['1'] })).toBe('unanswered');
  });

  it('counts a multiple-choice answer positive when any positive option is ticked, in the base when any positive or other is', () => {
    expect(classify(SUPPORT, { support: ['4', '3', '2'] })).toBe('positive');
    expect(classify(SUPPORT, { support: ['4', '3'] })).toBe('other');
    expect(classify(SUPPORT, { support: ['4'] })).toBe('excluded');
    expect(classify(SUPPORT, { support: [] })).toBe('unanswered');
  });
});

describe('rounding for display', () => {
  it('rounds to one decimal place half away from zero, not fooled by binary fractions', () => {
    expect([round1(62.45), round1(1.45), round1(1.35), round1((100 * 2) / 3), round1(94.9074), round1(-1.25), round1(12.5)])
      .toEqual([62.5, 1.5, 1.4, 66.7, 94.9, -1.3, 12.5]);
    expect(Object.is(round1(-0.04), 0)).toBe(true);
    expect(round1(null)).toBeNull();
  });
});

describe('question scores on a small survey', () => {
  // Three trusts of 24 respondents in the base; only the tumour group varies, so the case-mix
  // model is intercept + Lung and its predictions are each tumour group's national proportion.
  //   RA1 (planted better): Breast 16 of 16 positive, Lung 8 of 8  → 24 / 24
  //   RB2 (planted worse):  Breast  2 of 8,          Lung 2 of 16  →  4 / 24
  //   RC3:                  Breast  9 of 12,         Lung 6 of 12  → 15 / 24, plus two "Don't
  //                         know" and one blank (not in the base); its first respondent has no ICB or alliance.
  // Nationally Breast 27/36 = 0.75, Lung 16/36 = 4/9; N = 43/72 = 59.7222%.
  // Breast 36 = Lung 36: a tie, so the reference is Breast (listed first):
  //   intercept = logit(0.75) = ln 3 = 1.098612; Lung = logit(4/9) − ln 3 = ln(4/15) = −1.321756.
  // Expected (mean prediction): RA1 (16·0.75 + 8·4/9)/24 = 35/54 = 64.8148%;
  //   RB2 (8·0.75 + 16·4/9)/24 = 59/108 = 54.6296%; RC3 (12·0.75 + 12·4/9)/24 = 43/72 = 59.7222%.
  // Adjusted = O − E + N (in 216ths): RA1 216 − 140 + 129 = 205 → 94.9074;
  //   RB2 36 − 118 + 129 = 47 → 21.7593; RC3 135 − 129 + 129 = 135 → 62.5.
  // Ranges, n = 24: √(N(1−N)/24) = √((43/72)(29/72)/24) = 0.1001141;
  //   95%: 59.7222 ± 19.6220 → [40.1002, 79.3442]; 99.8%: 59.7222 ± 30.9376 → [28.7847, 90.6598].
  //   RA1 94.91 > 90.66 → above; RB2 21.76 < 28.78 → below; RC3 within.
  const survey = [
    ...answering(16, 16, { trust: 'RA1', tumourGroup: 'Breast' }),
    ...answering(8, 8, { trust: 'RA1', tumourGroup: 'Lung' }),
    ...answering(8, 2, { trust: 'RB2', tumourGroup: 'Breast' }),
    ...answering(16, 2, { trust: 'RB2', tumourGroup: 'Lung' }),
    respondent({ trust: 'RC3', icb: null, alliance: null, answers: { privacy: '1' } }),
    ...answering(11, 8, { trust: 'RC3', icb: 'QB', tumourGroup: 'Breast' }),
    ...answering(12, 6, { trust: 'RC3', icb: 'QB', tumourGroup: 'Lung' }),
    respondent({ trust: 'RC3', icb: 'QB', answers: { privacy: '3' } }),
    respondent({ trust: 'RC3', icb: 'QB', tumourGroup: 'Lung', answers: { privacy: '3' } }),
    respondent({ trust: 'RC3', icb: 'QB', answers: { other: '1' } }),
  ];
  const result = questionScores(PRIVACY, survey);

  it('scores nationally over the base of positive and other answers only', () => {
    expect(result.national.base).toBe(72);
    expect(result.national.positive).toBe(43);
    expect(result.national.score).toBeCloseTo(59.722222, 5);
  });

  it('fits the case-mix model with a tied reference category broken by the listed order', () => {
    expect(result.model!.columns).toEqual(['(intercept)', 'tumour group: Lung']);
    expect(result.model!.references['tumour group']).toBe('Breast');
    expect(result.model!.coefficients[0]).toBeCloseTo(1.098612, 6);
    expect(result.model!.coefficients[1]).toBeCloseTo(-1.321756, 6);
  });

  it('gives each trust its observed, expected and adjusted score with expected ranges', () => {
    const [ra1, rb2, rc3] = result.trusts;
    expect(result.trusts.map((t) => [t.trust, t.base, t.positive])).toEqual([['RA1', 24, 24], ['RB2', 24, 4], ['RC3', 24, 15]]);
    expect(ra1.score).toBeCloseTo(100, 6);
    expect(rb2.score).toBeCloseTo(16.666667, 5);
    expect(ra1.expected).toBeCloseTo(64.814815, 5);
    expect(rb2.expected).toBeCloseTo(54.62963, 5);
    expect(rc3.expected).toBeCloseTo(59.722222, 5);
    expect(ra1.adjusted).toBeCloseTo(94.907407, 5);
    expect(rb2.adjusted).toBeCloseTo(21.759259, 5);
    expect(rc3.adjusted).toBeCloseTo(62.5, 5);
    for (const t of result.trusts) {
      expect(t.range95![0]).toBeCloseTo(40.1002, 3);
      expect(t.range95![1]).toBeCloseTo(79.3442, 3);
      expect(t.range998![0]).toBeCloseTo(28.7847, 3);
      expect(t.range998![1]).toBeCloseTo(90.6598, 3);
    }
  });

  it('flags the planted better trust above and the planted worse trust below the expected range', () => {
    expect(result.trusts.map((t) => [t.trust, t.flag])).toEqual([['RA1', 'above'], ['RB2', 'below'], ['RC3', 'within']]);
  });

  it('scores ICBs and Cancer Alliances from where patients live, leaving out patients with none', () => {
    // QA: RA1 + RB2 = 48 in the base, 28 positive → 58.3333; QB: RC3 less its first respondent = 23, 14 → 60.8696.
    // A1: everyone but that respondent = 71, 42 → 59.1549. None is below 21, so nothing is withheld.
    expect(result.icbs.map((a) => [a.code, a.base, a.positive, round1(a.score)])).toEqual([['QA', 48, 28, 58.3], ['QB', 23, 14, 60.9]]);
    expect(result.alliances.map((a) => [a.code, a.base, a.positive, round1(a.score)])).toEqual([['A1', 71, 42, 59.2]]);
  });

  it('limits the adjusted score to 0–100', () => {
    // Everyone at RA1 positive, and RA1's patients the least likely to be: O − E + N > 1 before limiting.
    const skewed = [
      ...answering(21, 21, { trust: 'RA1', tumourGroup: 'Lung' }),
      ...answering(21, 21, { trust: 'RB2', tumourGroup: 'Breast' }),
      ...answering(21, 21, { trust: 'RC3', tumourGroup: 'Breast' }),
      ...answering(21, 0, { trust: 'RD4', tumourGroup: 'Lung' }),
    ];
    // N = 63/84 = 0.75; Lung 21/42 = 0.5; RA1: 1 − 0.5 + 0.75 = 1.25 → 100; RD4: 0 − 0.5 + 0.75 = 0.25 → 25.
    const t = questionScores(PRIVACY, skewed).trusts;
    expect(t[0].adjusted).toBe(100);
    expect(t[3].adjusted).toBeCloseTo(25, 6);
  });
});

describe('suppression of small numbers', () => {
  // RS20: 20 in the base (12 positive); RS21: 21 (12 positive); every other figure from RT with 40 (20 positive).
  const survey = [
    ...answering(20, 12, { trust: 'RS20', icb: 'Q20' }),
    ...answering(21, 12, { trust: 'RS21', icb: 'Q21' }),
    ...answering(40, 20, { trust: 'RT', icb: 'Q40' }),
  ];

  it('withholds a trust with 20 respondents in the base and shows one with 21', () => {
    const [s20, s21] = questionScores(PRIVACY, survey).trusts;
    expect(s20).toEqual({
      trust: 'RS20', base: 20, positive: null, score: null, expected: null, adjusted: null,
      range95: null, range998: null, flag: null, suppressed: true,
    });
    expect(s21.suppressed).toBe(false);
    expect(s21.positive).toBe(12);
    expect(s21.score).toBeCloseTo((100 * 12) / 21, 10);
    expect(s21.flag).toBe('within');
  });

  it('applies the same threshold to ICBs, and follows the survey setting', () => {
    const icbs = questionScores(PRIVACY, survey).icbs;
    expect(icbs.map((a) => [a.code, a.suppressed, a.score === null])).toEqual([['Q20', true, true], ['Q21', false, false], ['Q40', false, false]]);
    const lower = questionScores(PRIVACY, survey, { suppressionThreshold: 11 }).trusts[0];
    expect(lower.suppressed).toBe(false);
    expect(lower.score).toBe(60);
  });
});
