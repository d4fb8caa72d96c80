import { icd10ScopeMatcher } from './rules/icd10';
import { mapHeader, SAMPLE_COLUMNS } from './sample-columns';
import { readSampleRow, RowRules } from './sample-row';

const rules: RowRules = {
  trustCode: 'RXX', periodStart: '2026-04-01', periodEnd: '2026-06-30', minimumAge: 16,
  inScope: icd10ScopeMatcher(['C00-C97', 'D05']),
};
const columns = Object.keys(SAMPLE_COLUMNS);
const header = mapHeader(columns);
const good: Record<string, string> = {
  trust_code: 'RXX', site_code: 'RXX01', patient_record_number: 'PRN1', nhs_number: '999 000 0018', title: 'Mr',
  first_name: 'Łukasz', surname: 'Wiśniewski', address_1: '1 Synthetic Street', address_2: 'Testville', address_3: '',
  address_4: '', address_5: '', postcode: 'ls1 4ab', date_of_birth: '1950-03-04', sex: '1', ethnicity: 'A',
  icd10: 'C509', admission_date: '01/05/2026', discharge_date: '2026-05-03', patient_type: '1', nhs_funded: 'y',
  sub_icb_code: '15F', email: 'someone@example.invalid', mobile: '07700 900123',
};
const read = (changes: Record<string, string> = {}) =>
  readSampleRow(columns.map((c) => changes[c] ?? good[c]), 7, header, rules);
const rejectionOf = (changes: Record<string, string>) => {
  const verdict = read(changes);
  if (verdict.kind !== 'rejected') throw new Error(`expected a rejection for ${JSON.stringify(changes)}`);
  return verdict.problems;
};
const exclusionOf = (changes: Record<string, string>) => {
  const verdict = read(changes);
  if (verdict.kind !== 'read') throw new Error(`expected a readable row, got ${JSON.stringify(verdict)}`);
  return verdict.exclusion;
};

describe('reading a sample row', () => {
  it('normalises a good row and samples it', () => {
    const verdict = read();
    expect(verdict).toMatchObject({ kind: 'read', exclusion: null, warnings: [] });
    if (verdict.kind !== 'read') return;
    expect(verdict.record).toMatchObject({
      nhsNumber: '9990000018', postcode: 'LS1 4AB', icd10: 'C50.9', admissionDate: '2026-05-01', dischargeDate: '2026-05-03',
      firstName: 'Łukasz', surname: 'Wiśniewski', address: ['1 Synthetic Street', 'Testville'], nhsFunded: true,
      mobile: '07700900123', siteCode: 'RXX01',
    });
  });

  it.each([
    [{ nhs_number: '9990000017' }, 'nhs_number', 'nhs_number is not a valid NHS number (10 digits with a correct check digit)'],
    [{ nhs_number: '' }, 'nhs_number', 'nhs_number is missing'],
    [{ surname: '' }, 'surname', 'surname is missing'],
    [{ first_name: 'J0hn' }, 'first_name', 'first_name must be letters, spaces, hyphens or apostrophes'],
    [{ address_1: '' }, 'address_1', 'address_1 is missing'],
    [{ postcode: 'LS1' }, 'postcode', 'postcode is not a valid UK postcode'],
    [{ date_of_birth: '30/02/1950' }, 'date_of_birth', 'date_of_birth must be a real date written YYYY-MM-DD or DD/MM/YYYY'],
    [{ discharge_date: '2026-5-3' }, 'discharge_date', 'discharge_date must be a real date written YYYY-MM-DD or DD/MM/YYYY'],
    [{ admission_date: '2026-05-04' }, 'admission_date', 'admission_date is after discharge_date'],
    [{ sex: 'M' }, 'sex', 'sex must be 1 (male), 2 (female), 9 (indeterminate) or 0 (not known)'],
    [{ icd10: 'breast' }, 'icd10', 'icd10 is not an ICD-10 code such as C50.9, C509 or C50'],
    [{ patient_type: '3' }, 'patient_type', 'patient_type must be 1 (inpatient) or 2 (day case)'],
    [{ nhs_funded: 'yes' }, 'nhs_funded', 'nhs_funded must be Y or N'],
    [{ trust_code: 'RYY' }, 'trust_code', "trust_code is not the uploading trust's code (RXX)"],
    [{ surname: 'Smith\u0007' }, 'surname', 'surname contains control characters or a line break'],
  ])('rejects %j at its column with a plain message', (changes, column, message) => {
    expect(rejectionOf(changes)).toEqual([{ row: 7, column, message }]);
  });

  it('lists every problem of a row at once', () => {
    expect(rejectionOf({ nhs_number: '123', postcode: '', sex: 'x' }).map((p) => p.column)).toEqual(['nhs_number', 'postcode', 'sex']);
  });

  it('never echoes an NHS number, name, date of birth or postcode in a message', () => {
    const problems = rejectionOf({ nhs_number: '9990000017', postcode: 'QQ QQQ', date_of_birth: '31/02/1950', first_name: 'Zz9' });
    const text = JSON.stringify(problems);
    for (const secret of ['9990000017', 'QQ QQQ', '31/02/1950', 'Zz9']) expect(text).not.toContain(secret);
  });

  it.each([
    [{ date_of_birth: '2010-05-04' }, 'under_16'],
    [{ date_of_birth: '2010-05-03' }, null], // sixteenth birthday on the day of discharge
    [{ discharge_date: '2026-07-01' }, 'outside_period'],
    [{ admission_date: '2026-03-25', discharge_date: '2026-03-31' }, 'outside_period'],
    [{ icd10: 'I21.0' }, 'not_cancer'],
    [{ icd10: 'D05' }, null],
    [{ icd10: 'C97' }, null],
    [{ icd10: 'D06.1' }, 'not_cancer'],
    [{ nhs_funded: 'N' }, 'private_patient'],
    [{ postcode: 'ZZ99 3VZ' }, 'no_address'],
    [{ address_2: '' }, 'no_address'],
    [{ address_2: '', address_4: 'Somewhere' }, null],
  ])('applies the exclusion rules: %j → %s', (changes, reason) => {
    expect(exclusionOf(changes)).toBe(reason);
  });

  it('applies the exclusions in order: the first that matches wins', () => {
    expect(exclusionOf({ date_of_birth: '2015-01-01', discharge_date: '2026-07-02', nhs_funded: 'N' })).toBe('under_16');
    expect(exclusionOf({ discharge_date: '2026-07-02', icd10: 'I21', nhs_funded: 'N' })).toBe('outside_period');
    expect(exclusionOf({ icd10: 'I21', postcode: 'ZZ99 3VZ' })).toBe('not_cancer');
  });

  it('follows the survey\'s own minimum age', () => {
    const verdict = readSampleRow(columns.map((c) => (c === 'date_of_birth' ? '2010-05-04' : good[c])), 2, header, { ...rules, minimumAge: 0 });
    expect(verdict.kind === 'read' && verdict.exclusion).toBeNull();
  });

  it('excludes a row older than the survey\'s maximum age at discharge as over_15, before every later rule', () => {
    const u16 = { ...rules, minimumAge: 0, maximumAge: 15 };
    const exclusion = (dateOfBirth: string, extra: Record<string, string> = {}) => {
      const verdict = readSampleRow(columns.map((c) => (c === 'date_of_birth' ? dateOfBirth : extra[c] ?? good[c])), 2, header, u16);
      return verdict.kind === 'read' ? verdict.exclusion : 'rejected';
    };
    const discharged = good.discharge_date;
    const yearsBefore = (n: number, days = 0) => {
      const d = new Date(`${discharged}T00:00:00Z`);
      d.setUTCFullYear(d.getUTCFullYear() - n);
      d.setUTCDate(d.getUTCDate() + days);
      return d.toISOString().slice(0, 10);
    };
    expect(exclusion(yearsBefore(16))).toBe('over_15'); // sixteenth birthday on the day of discharge
    expect(exclusion(yearsBefore(16, 1))).toBeNull(); // 15, a day short of 16
    expect(exclusion(yearsBefore(0, -30))).toBeNull(); // a baby
    expect(exclusion(yearsBefore(40), { nhs_funded: 'N' })).toBe('over_15');
    // The adult survey has no upper age.
    const adult = readSampleRow(columns.map((c) => (c === 'date_of_birth' ? '1920-01-01' : good[c])), 2, header, rules);
    expect(adult.kind === 'read' && adult.exclusion).toBeNull();
  });

  it('drops a malformed optional field with a warning instead of losing the patient', () => {
    const verdict = read({ email: 'not an address', ethnicity: 'Q', mobile: '12345' });
    expect(verdict.kind).toBe('read');
    expect(verdict.warnings.map((w) => w.column)).toEqual(['ethnicity', 'email', 'mobile']);
    if (verdict.kind === 'read') expect(verdict.record).toMatchObject({ email: null, ethnicity: null, mobile: null });
  });

  it('maps headers case-insensitively and names missing or repeated columns', () => {
    expect(mapHeader(['\uFEFFTrust_Code', ' NHS_NUMBER ']).index.nhs_number).toBe(1);
    const partial = mapHeader(columns.filter((c) => c !== 'postcode' && c !== 'icd10').concat(['surname', 'notes']));
    expect(partial.missing).toEqual(['postcode', 'icd10']);
    expect(partial.repeated).toEqual(['surname']);
    expect(partial.unknown).toEqual(['notes']);
  });
});
