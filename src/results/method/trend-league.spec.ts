import { leagueTable } from './league';
import type { Flag, QuestionScores, TrustScore } from './scores';
import { trend, type QuestionTrend } from './trend';

/** Only the figures trend and the league table read, written out by hand. */
function question(id: string, reportKey: string | undefined, national: [number, number], trusts: Partial<TrustScore>[]): QuestionScores {
  return {
    question: id, number: 1, ...(reportKey ? { reportKey } : {}),
    national: { base: national[0], positive: national[1], score: (100 * national[1]) / national[0], suppressed: false },
    trusts: trusts.map((t) => ({
      trust: 'R', base: 50, positive: 25, score: 50, expected: 50, adjusted: 50, range95: [0, 100], range998: [0, 100],
      flag: 'within', suppressed: false, ...t,
    })),
    icbs: [],
    alliances: [],
    model: null,
  };
}

describe('change since the previous survey', () => {
  // National: 600 of 1000 now, 550 of 1000 before: change +5 points; pooled p = 0.575,
  //   1.959964·√(0.575·0.425·(1/1000 + 1/1000)) = 0.04333 < 0.05 → significant; 50 more positive patients.
  // T1: 30/50 vs 27/50: 0.06 against 1.959964·√(0.57·0.43·0.04) = 0.19407 → not significant.
  // T2: 45/50 vs 30/50: 0.30 against 1.959964·√(0.75·0.25·0.04) = 0.16974 → significant.
  // T3: 20/50 vs 35/50: −0.30 against 1.959964·√(0.55·0.45·0.04) = 0.19501 → significant (a decline).
  // T4: suppressed last time → no change.
  const now = [
    question('q9', 'privacy', [1000, 600], [
      { trust: 'T1', positive: 30 }, { trust: 'T2', positive: 45 }, { trust: 'T3', positive: 20 }, { trust: 'T4', positive: 30 },
    ]),
    question('q10', undefined, [1000, 500], []),
    question('q11', 'new_question', [1000, 500], []),
  ];
  const before = [
    question('q8', 'privacy', [1000, 550], [
      { trust: 'T1', positive: 27 }, { trust: 'T2', positive: 30 }, { trust: 'T3', positive: 35 },
      { trust: 'T4', base: 15, positive: null, suppressed: true },
    ]),
    question('q10', undefined, [1000, 400], []),
  ];

  it('matches questions by reportKey and skips those without one or new this year', () => {
    const result = trend(now, before);
    expect(result.map((t) => [t.question, t.previousQuestion, t.reportKey])).toEqual([['q9', 'q8', 'privacy']]);
  });

  it('gives the change in points, its significance and the change in positive patients nationally', () => {
    const [privacy] = trend(now, before);
    expect(privacy.national.change).toBeCloseTo(5, 10);
    expect(privacy.national.significant).toBe(true);
    expect(privacy.national.positiveChange).toBe(50);
    expect(privacy.trusts.map((t) => [t.trust, t.change === null ? null : Math.round(t.change * 1e6) / 1e6, t.significant])).toEqual([
      ['T1', 6, false], ['T2', 30, true], ['T3', -30, true], ['T4', null, null],
    ]);
  });

  it('withholds the change in positive patients when either year is withheld nationally', () => {
    const small = question('q1', 'rare', [12, 7], []);
    small.national.suppressed = true;
    const [rare] = trend([small], [question('q1', 'rare', [1000, 400], [])]);
    expect(rare.national).toEqual({ current: null, previous: 40, change: null, significant: null, positiveChange: null });
  });
});

describe('the league table', () => {
  const t = (trust: string, flag: Flag | null, adjusted: number | null): Partial<TrustScore> =>
    flag === null ? { trust, suppressed: true, flag: null, adjusted: null, positive: null } : { trust, flag, adjusted };
  // T1: above, within, above → +2, mean (90 + 70 + 85)/3 = 81.67
  // T2: above, below, within → 0, mean (88 + 30 + 60)/3 = 59.33
  // T3: within ×3 → 0, mean (60 + 65 + 55)/3 = 60
  // T4: below, within, suppressed → −1, mean (20 + 50)/2 = 35 (the suppressed question left out)
  // T5: above ×3 but only 20 respondents → not in the table
  // T6: within ×3 → 0, mean (62 + 58 + 60)/3 = 60, level with T3
  const scores = [
    question('q1', 'a', [100, 50], [t('T1', 'above', 90), t('T2', 'above', 88), t('T3', 'within', 60), t('T4', 'below', 20), t('T5', 'above', 99), t('T6', 'within', 62)]),
    question('q2', 'b', [100, 50], [t('T1', 'within', 70), t('T2', 'below', 30), t('T3', 'within', 65), t('T4', 'within', 50), t('T5', 'above', 99), t('T6', 'within', 58)]),
    question('q3', 'c', [100, 50], [t('T1', 'above', 85), t('T2', 'within', 60), t('T3', 'within', 55), t('T4', null, null), t('T5', 'above', 99), t('T6', 'within', 60)]),
  ];
  const respondents = { T1: 300, T2: 250, T3: 21, T4: 400, T5: 20, T6: 100 };

  it('ranks trusts by above minus below, then by mean adjusted score, sharing a rank on a full tie', () => {
    const table = leagueTable(scores, respondents);
    expect(table.trusts.map((r) => [r.rank, r.trust, r.above, r.within, r.below])).toEqual([
      [1, 'T1', 2, 1, 0], [2, 'T3', 0, 3, 0], [2, 'T6', 0, 3, 0], [4, 'T2', 1, 1, 1], [5, 'T4', 0, 1, 1],
    ]);
    expect(table.trusts[0].meanAdjusted).toBeCloseTo(81.666667, 5);
    expect(table.trusts[4].meanAdjusted).toBe(35);
    expect(table.mostImproved).toEqual([]);
  });

  it('counts the most improved as significant improvements minus significant declines', () => {
    const change = (trust: string, c: number, significant: boolean) => ({ trust, current: 0, previous: 0, change: c, significant });
    const trends: QuestionTrend[] = [
      { question: 'q1', reportKey: 'a', previousQuestion: 'q1', national: { current: 0, previous: 0, change: 0, significant: false, positiveChange: 0 }, icbs: [], alliances: [],
        trusts: [change('T1', 8, true), change('T2', 9, true), change('T4', -7, true), change('T5', 20, true)] },
      { question: 'q2', reportKey: 'b', previousQuestion: 'q2', national: { current: 0, previous: 0, change: 0, significant: false, positiveChange: 0 }, icbs: [], alliances: [],
        trusts: [change('T1', -6, true), change('T2', 7, true), change('T4', 3, false)] },
    ];
    // T2 +2; T1 1 − 1 = 0; T3 and T6 0; T4 −1; T5 not in the table.
    const table = leagueTable(scores, respondents, trends);
    expect(table.mostImproved.map((r) => [r.rank, r.trust, r.netImprovement])).toEqual([
      [1, 'T2', 2], [2, 'T1', 0], [2, 'T3', 0], [2, 'T6', 0], [5, 'T4', -1],
    ]);
    expect(table.trusts.find((r) => r.trust === 'T1')).toMatchObject({ improved: 1, declined: 1, netImprovement: 0 });
  });
});
