import { ageOn, parseSampleDate } from './dates';
import { icd10ScopeMatcher, normaliseIcd10 } from './icd10';
import { normaliseNhsNumber } from './nhs-number';
import { isPseudoPostcode, normalisePostcode } from './postcode';

describe('sample file rules', () => {
  it('accepts NHS numbers with a valid Modulus 11 check digit, with or without spaces', () => {
    expect(normaliseNhsNumber('943 476 5919')).toBe('9434765919');
    expect(normaliseNhsNumber('9434765919')).toBe('9434765919');
    expect(normaliseNhsNumber('401 023 2137')).toBe('4010232137');
  });

  it('refuses NHS numbers with a wrong check digit, a remainder of 10, or the wrong length', () => {
    expect(normaliseNhsNumber('9434765918')).toBeUndefined();
    expect(normaliseNhsNumber('943476591')).toBeUndefined();
    expect(normaliseNhsNumber('94347659190')).toBeUndefined();
    expect(normaliseNhsNumber('943-476-5919')).toBeUndefined();
    // 123456789x: 1*10+2*9+...+9*2 = 210, 210 mod 11 = 1, check 10: no valid number begins so.
    for (let d = 0; d <= 9; d++) expect(normaliseNhsNumber(`123456789${d}`)).toBeUndefined();
  });

  it('normalises UK postcodes and spots pseudo-postcodes', () => {
    expect(normalisePostcode('sw1a1aa')).toBe('SW1A 1AA');
    expect(normalisePostcode(' M1  1AE ')).toBe('M1 1AE');
    expect(normalisePostcode('B33 8TH')).toBe('B33 8TH');
    expect(normalisePostcode('CR2 6XH')).toBe('CR2 6XH');
    expect(normalisePostcode('DN55 1PT')).toBe('DN55 1PT');
    expect(normalisePostcode('W1A 0AX')).toBe('W1A 0AX');
    expect(normalisePostcode('12345')).toBeUndefined();
    expect(normalisePostcode('SW1A 1A')).toBeUndefined();
    expect(isPseudoPostcode(normalisePostcode('zz99 3vz')!)).toBe(true);
    expect(isPseudoPostcode('LS1 4AP')).toBe(false);
  });

  it('normalises ICD-10 codes written three ways and matches scopes by category', () => {
    expect(['C50.9', 'C509', 'c50.9'].map(normaliseIcd10)).toEqual(['C50.9', 'C50.9', 'C50.9']);
    expect(normaliseIcd10('C50')).toBe('C50');
    expect(normaliseIcd10('D05.1')).toBe('D05.1');
    expect(normaliseIcd10('50.9')).toBeUndefined();
    expect(normaliseIcd10('C5')).toBeUndefined();
    const inScope = icd10ScopeMatcher(['C00-C97', 'D05']);
    expect(['C00', 'C50.9', 'C97', 'D05.1'].map(inScope)).toEqual([true, true, true, true]);
    expect(['C98', 'D04.9', 'D06', 'I21.0'].map(inScope)).toEqual([false, false, false, false]);
  });

  it('takes subcategory ranges at the subcategory level, and a bare category only for a category bound', () => {
    const inScope = icd10ScopeMatcher(['C00-C97', 'D32-D33', 'D35.2-D35.4', 'D42-D43', 'D44.3-D44.5', 'D47.1']);
    expect(['D35.2', 'D35.3', 'D35.4', 'D35.31', 'D44.3', 'D44.5', 'D47.1', 'D32', 'D33.9', 'C71.0'].map(inScope)).toEqual(Array(10).fill(true));
    expect(['D35', 'D35.1', 'D35.5', 'D44', 'D44.2', 'D44.6', 'D47', 'D47.2', 'D34', 'D36.1'].map(inScope)).toEqual(Array(10).fill(false));
  });

  it('mixes a category and a subcategory bound in one range', () => {
    const inScope = icd10ScopeMatcher(['D33-D35.2']);
    expect(['D33', 'D34.0', 'D35.0', 'D35.2'].map(inScope)).toEqual([true, true, true, true]);
    expect(['D32.9', 'D35', 'D35.3'].map(inScope)).toEqual([false, false, false]);
  });

  it('reads dates in both formats and refuses impossible ones', () => {
    expect(parseSampleDate('2026-04-01')).toBe('2026-04-01');
    expect(parseSampleDate('01/04/2026')).toBe('2026-04-01');
    expect(parseSampleDate('1/4/2026')).toBe('2026-04-01');
    expect(parseSampleDate('29/02/2024')).toBe('2024-02-29');
    expect(parseSampleDate('29/02/2026')).toBeUndefined();
    expect(parseSampleDate('2026-13-01')).toBeUndefined();
    expect(parseSampleDate('31/04/2026')).toBeUndefined();
    expect(parseSampleDate('04/01/26')).toBeUndefined();
    expect(parseSampleDate('2026/04/01')).toBeUndefined();
    for (const bad of ['2026-0a-01', '2026-04-0x', '20a6-04-01', '2026-00-10', '2026-04-00', '1879-12-31', '2026-+4-01']) {
      expect(parseSampleDate(bad)).toBeUndefined();
    }
  });

  it('computes age at discharge in whole years', () => {
    expect(ageOn('2010-05-01', '2026-04-30')).toBe(15);
    expect(ageOn('2010-05-01', '2026-05-01')).toBe(16);
    expect(ageOn('2008-02-29', '2024-02-28')).toBe(15);
    expect(ageOn('2008-02-29', '2024-02-29')).toBe(16);
  });
});
