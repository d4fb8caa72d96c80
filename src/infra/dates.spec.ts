import { longDate, longDateTime } from './dates';

describe('dates on staff pages', () => {
  it('writes a day as "30 November 2026", for a bare date and for a moment, on the London day', () => {
    expect(longDate('2026-11-30')).toBe('30 November 2026');
    expect(longDate('1950-03-07')).toBe('7 March 1950');
    expect(longDate(new Date('2026-11-30T23:30:00Z'))).toBe('30 November 2026');
    // 23:30 UTC in June is 00:30 the next day in London (summer time).
    expect(longDate('2026-06-30T23:30:00Z')).toBe('1 July 2026');
  });

  it('adds the London time to a moment', () => {
    expect(longDateTime('2026-11-30T14:05:00Z')).toBe('30 November 2026 at 14:05');
    expect(longDateTime('2026-06-30T23:30:00Z')).toBe('1 July 2026 at 00:30');
  });
});
