import { adjustedRate, percent } from './rates';

describe('response rates', () => {
  it('round to one decimal place, half up, without floating-point drift', () => {
    expect([percent(1, 8), percent(1, 16), percent(1, 3), percent(2, 3), percent(0, 5), percent(5, 5)]).toEqual([12.5, 6.3, 33.3, 66.7, 0, 100]);
    expect(percent(1, 0)).toBeNull();
    // 0.1 + 0.2 style traps: 7 of 40 is exactly 17.5.
    expect(percent(7, 40)).toBe(17.5);
  });

  it('adjust the base by removing undelivered, deceased and ineligible patients', () => {
    const outcomes = { 1: 30, 2: 5, 3: 2, 4: 8, 5: 1, 6: 50, 7: 4 };
    // 30 / (100 - 5 - 2 - 1 - 4) = 30 / 88 = 34.09…
    expect(adjustedRate(100, outcomes)).toBe(34.1);
    expect(adjustedRate(4, { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 7: 4 })).toBeNull();
  });
});
