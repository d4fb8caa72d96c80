import { breakdown } from './breakdown';
import type { EvaluativeQuestion } from './classify';
import { answering, PRIVACY, respondent } from './fixtures.spec-helper';
import { frequencies, type FrequencyQuestion } from './frequencies';
import type { Respondent } from './groups';

const NURSES: EvaluativeQuestion = {
  id: 'nurses', number: 12, type: 'single',
  options: [
    { value: '1', label: 'Yes, always', score: 'positive' },
    { value: '2', label: 'No', score: 'other' },
    { value: '3', label: 'It was not needed', score: 'excluded' },
  ],
};

/** n respondents of one age band at a trust: the first `privacyPositive` answer privacy 1, the rest 2; nurses as given. */
function band(trust: string, ageBand: Respondent['ageBand'], n: number, privacyPositive: number, nurses: (i: number) => string): Respondent[] {
  return Array.from({ length: n }, (_, i) => respondent({ trust, ageBand, answers: { privacy: i < privacyPositive ? '1' : '2', nurses: nurses(i) } }));
}

describe('breakdowns by patient group', () => {
  // RZ: 55–64 ×25 (privacy 15 positive; nurses all 1), 65–74 ×30 (12; all 2),
  //     75–84 ×5 (2; all "not needed"), 85+ ×22 (11; first 11 answer 1).
  // RY: 85+ ×10, all positive on both.
  const survey = [
    ...band('RZ', '55–64', 25, 15, () => '1'),
    ...band('RZ', '65–74', 30, 12, () => '2'),
    ...band('RZ', '75–84', 5, 2, () => '3'),
    ...band('RZ', '85+', 22, 11, (i) => (i < 11 ? '1' : '2')),
    ...band('RY', '85+', 10, 10, () => '1'),
  ];

  it('withholds the next smallest cell of a trust\'s breakdown when exactly one cell is withheld', () => {
    const result = breakdown('age_band', [PRIVACY, NURSES], survey, undefined, 'RZ');
    expect(result.groups.map((g) => g.group)).toEqual(['16–24', '25–34', '35–44', '45–54', '55–64', '65–74', '75–84', '85+']);
    const cell = (group: string, q: number) => result.groups.find((g) => g.group === group)!.questions[q];
    // Privacy: 75–84 (5) is withheld, so 85+ (22, the smallest shown) goes too; 55–64 60%, 65–74 40% stay.
    expect(cell('55–64', 0)).toEqual({ question: 'privacy', base: 25, positive: 15, score: 60, suppressed: false });
    expect(cell('65–74', 0)).toEqual({ question: 'privacy', base: 30, positive: 12, score: 40, suppressed: false });
    expect(cell('75–84', 0)).toEqual({ question: 'privacy', base: 5, positive: null, score: null, suppressed: true });
    expect(cell('85+', 0)).toEqual({ question: 'privacy', base: 22, positive: null, score: null, suppressed: true });
    // Nurses: 75–84 has nobody in the base (all "not needed"): nothing to protect, so 85+ is shown.
    expect(cell('75–84', 1)).toMatchObject({ base: 0, suppressed: true });
    expect(cell('85+', 1)).toEqual({ question: 'nurses', base: 22, positive: 11, score: 50, suppressed: false });
    expect(cell('55–64', 1).score).toBe(100);
    expect(cell('16–24', 1)).toEqual({ question: 'nurses', base: 0, positive: null, score: null, suppressed: true });
  });

  it('nationally applies primary suppression only, over every trust', () => {
    const result = breakdown('age_band', [PRIVACY], survey);
    const cell = (group: string) => result.groups.find((g) => g.group === group)!.questions[0];
    expect(cell('75–84').suppressed).toBe(true);
    // 85+: 22 from RZ (11 positive) + 10 from RY (10) = 21 of 32 = 65.625%.
    expect(cell('85+')).toEqual({ question: 'privacy', base: 32, positive: 21, score: 65.625, suppressed: false });
  });

  it('by age, has the survey\'s own bands as its groups when the settings give them', () => {
    const children = [...band('RZ', '0–4', 3, 1, () => '1'), ...band('RZ', '10–15', 4, 4, () => '2')];
    const result = breakdown('age_band', [PRIVACY], children, { suppressionThreshold: 1, ageBands: ['0–4', '5–9', '10–15'] });
    expect(result.groups.map((g) => [g.group, g.questions[0].base, g.questions[0].positive])).toEqual([['0–4', 3, 1], ['5–9', 0, null], ['10–15', 4, 4]]);
    // Without the survey's bands the adult ones are the groups: no child is in any.
    expect(breakdown('age_band', [PRIVACY], children, { suppressionThreshold: 1 }).groups.every((g) => g.questions[0].base === 0)).toBe(true);
  });

  it('gives the secondary breast cancer group its own scores', () => {
    // RB: 21 with secondary breast cancer (14 positive → 66.67%), 30 without (12 → 40%).
    // RW: 5 with (3 positive) and 30 without: the 5 are withheld, and so the 30, the only other cell.
    const sbc = [
      ...answering(21, 14, { trust: 'RB', secondaryBreastCancer: true }),
      ...answering(30, 12, { trust: 'RB', tumourGroup: 'Lung' }),
      ...answering(5, 3, { trust: 'RW', secondaryBreastCancer: true }),
      ...answering(30, 15, { trust: 'RW' }),
    ];
    const rb = breakdown('secondary_breast_cancer', [PRIVACY], sbc, undefined, 'RB');
    expect(rb.groups.map((g) => [g.group, g.questions[0].base, g.questions[0].positive])).toEqual([['yes', 21, 14], ['no', 30, 12]]);
    expect(rb.groups[0].questions[0].score).toBeCloseTo(66.666667, 5);
    const rw = breakdown('secondary_breast_cancer', [PRIVACY], sbc, undefined, 'RW');
    expect(rw.groups.map((g) => g.questions[0].suppressed)).toEqual([true, true]);
    // Nationally: yes 26 (17 positive), no 60 (27 positive).
    const national = breakdown('secondary_breast_cancer', [PRIVACY], sbc);
    expect(national.groups.map((g) => [g.group, g.questions[0].base, g.questions[0].positive, g.questions[0].score]))
      .toEqual([['yes', 26, 17, (100 * 17) / 26], ['no', 60, 27, 45]]);
  });
});

describe('breakdowns for an ICB or Cancer Alliance (local reports)', () => {
  // Where patients live, not which trust treated them: QA's respondents come from RX1 and RX2.
  //   QA: RX1 male ×25 (20 positive), RX2 female ×5 (5 positive), RX2 other ×30 (15 positive).
  //   QB (alliance A2): RX1 female ×40 (10 positive).
  const survey = [
    ...answering(25, 20, { trust: 'RX1', icb: 'QA', alliance: 'A1', sex: 'male' }),
    ...answering(5, 5, { trust: 'RX2', icb: 'QA', alliance: 'A1', sex: 'female' }),
    ...answering(30, 15, { trust: 'RX2', icb: 'QA', alliance: 'A1', sex: 'other or not known' }),
    ...answering(40, 10, { trust: 'RX1', icb: 'QB', alliance: 'A2', sex: 'female' }),
  ];
  const cells = (b: ReturnType<typeof breakdown>) => b.groups.map((g) => [g.group, g.questions[0].base, g.questions[0].positive, g.questions[0].suppressed]);

  it("takes the ICB's residents from every trust, and withholds the next smallest cell as for a trust", () => {
    const qa = breakdown('sex', [PRIVACY], survey, undefined, { icb: 'QA' });
    expect(qa.icb).toBe('QA');
    expect(qa.trust).toBeUndefined();
    // female (5) is withheld, so male (25, the smallest shown) goes too; other (30) stays.
    expect(cells(qa)).toEqual([['male', 25, null, true], ['female', 5, null, true], ['other or not known', 30, 15, false]]);
  });

  it("takes the Cancer Alliance's residents", () => {
    const a2 = breakdown('sex', [PRIVACY], survey, undefined, { alliance: 'A2' });
    expect(a2.alliance).toBe('A2');
    expect(cells(a2)).toEqual([['male', 0, null, true], ['female', 40, 10, false], ['other or not known', 0, null, true]]);
  });

  it('reads a string scope as a trust code, as before', () => {
    expect(breakdown('sex', [PRIVACY], survey, undefined, 'RX1')).toEqual(breakdown('sex', [PRIVACY], survey, undefined, { trust: 'RX1' }));
  });
});

describe('frequencies', () => {
  const SUPPORT: FrequencyQuestion = {
    id: 'support', number: 20, type: 'multiple',
    options: [{ value: '1', label: 'Advice' }, { value: '2', label: 'Grants' }, { value: '3', label: 'Nothing' }, { value: '4', label: 'Not needed' }],
  };
  const RATING: FrequencyQuestion = { id: 'overall', number: 60, type: 'rating', min: 0, max: 10 };
  // RF1, 25 respondents: privacy 1 ×10, 2 ×8, 3 ×5, blank ×2 → 23 answered.
  // support: [1,2] ×10, [3] ×8, [4,1] ×4, [] ×1, ["x"] ×1, blank ×1 → 22 answered; 1: 14, 2: 10, 3: 8, 4: 4.
  // overall: 10 ×11, 8 ×6, 5 ×4, 0 ×1, 11 ×1 (out of range), "7" ×1, blank ×1 → 22 answered; mean 178/22 = 8.0909.
  const rf1 = Array.from({ length: 25 }, (_, i) => respondent({
    trust: 'RF1',
    answers: {
      ...(i < 23 ? { privacy: i < 10 ? '1' : i < 18 ? '2' : '3' } : {}),
      ...(i < 24 ? { support: i < 10 ? ['1', '2'] : i < 18 ? ['3'] : i < 22 ? ['4', '1'] : i < 23 ? [] : ['x'] } : {}),
      ...(i < 24 ? { overall: i < 11 ? 10 : i < 17 ? 8 : i < 21 ? 5 : i < 22 ? 0 : i < 23 ? 11 : '7' } : {}),
    },
  }));
  // RF2: 20 respondents, all privacy 1, men.
  const rf2 = Array.from({ length: 20 }, () => respondent({ trust: 'RF2', sex: 'male', answers: { privacy: '1' } }));
  const survey = [...rf1, ...rf2];

  it('counts respondents per option and how many answered a single-choice question, excluded options included', () => {
    const f = frequencies(PRIVACY, survey);
    expect(f.national.answered).toBe(43);
    expect(f.national.options.map((o) => o.count)).toEqual([30, 8, 5]);
    const rf1Counts = f.trusts.find((t) => t.trust === 'RF1')!;
    expect(rf1Counts.answered).toBe(23);
    expect(rf1Counts.options.map((o) => o.count)).toEqual([10, 8, 5]);
    expect(rf1Counts.options[0].percent).toBeCloseTo((100 * 10) / 23, 10);
  });

  it('withholds the counts of a trust with fewer than 21 answering', () => {
    const rf2Counts = frequencies(PRIVACY, survey).trusts.find((t) => t.trust === 'RF2')!;
    expect(rf2Counts).toMatchObject({ answered: 20, suppressed: true });
    expect(rf2Counts.options.map((o) => o.count)).toEqual([null, null, null]);
  });

  it('counts each ticked option of a multiple-choice question once, and a respondent who ticked any as answering', () => {
    const f = frequencies(SUPPORT, survey);
    expect(f.national.answered).toBe(22);
    expect(f.national.options.map((o) => o.count)).toEqual([14, 10, 8, 4]);
  });

  it('counts every rating value and gives the mean of those who answered', () => {
    const f = frequencies(RATING, survey);
    expect(f.national.answered).toBe(22);
    expect(f.national.options.map((o) => o.value)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(f.national.options.map((o) => o.count)).toEqual([1, 0, 0, 0, 0, 4, 0, 0, 6, 0, 11]);
    expect(f.national.mean).toBeCloseTo(8.090909, 6);
  });

  it('gives frequencies by patient group when asked', () => {
    const f = frequencies(PRIVACY, survey, undefined, { by: 'sex' });
    expect(f.groups!.map((g) => [g.group, g.answered, g.suppressed])).toEqual([['male', 20, true], ['female', 23, false], ['other or not known', 0, true]]);
    expect(f.groups![1].options.map((o) => o.count)).toEqual([10, 8, 5]);
  });
});
