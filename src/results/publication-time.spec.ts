import { isPublished, publicationSentence, publicationTime } from './publication-time';

describe('publication time', () => {
  it('is said in London time, summer or winter', () => {
    expect(publicationTime('2027-06-10T08:30:00Z')).toBe('10 June 2027 at 9:30am'); // British Summer Time
    expect(publicationTime('2027-01-14T09:30:00Z')).toBe('14 January 2027 at 9:30am');
    expect(publicationTime('2027-01-14T13:05:00Z')).toBe('14 January 2027 at 1:05pm');
  });

  it('has come only once set and past', () => {
    const now = Date.parse('2027-06-10T08:30:00Z');
    expect(isPublished(undefined, now)).toBe(false);
    expect(isPublished('2027-06-10T08:30:01Z', now)).toBe(false);
    expect(isPublished('2027-06-10T08:30:00Z', now)).toBe(true);
  });

  it('is one sentence before, without and after a date', () => {
    expect(publicationSentence('CPES 2026', '2099-06-10T08:30:00Z')).toBe('Results of CPES 2026 will be published on 10 June 2099 at 9:30am.');
    expect(publicationSentence('CPES 2026', undefined)).toBe('Results of CPES 2026 are not published yet, and no publication date has been set yet.');
    expect(publicationSentence('CPES 2026', '2026-01-01T09:30:00Z')).toBe('Results of CPES 2026 were published on 1 January 2026 at 9:30am.');
  });
});
