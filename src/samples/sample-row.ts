import { ageOn, parseSampleDate } from './rules/dates';
import { normaliseIcd10 } from './rules/icd10';
import { normaliseNhsNumber } from './rules/nhs-number';
import { isPseudoPostcode, normalisePostcode } from './rules/postcode';
import type { HeaderMap, SampleColumn } from './sample-columns';

/** Reasons a readable row is left out of the sample, in the order they are applied. */
export const EXCLUSION_REASONS = [
  'under_16', 'over_15', 'outside_period', 'not_cancer', 'private_patient', 'no_address', 'deceased', 'duplicate',
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

/** A row that could be read, normalised. Dates are ISO strings. */
export interface SampleRecord {
  rowNumber: number;
  trustCode: string;
  siteCode: string | null;
  patientRecordNumber: string;
  nhsNumber: string;
  title: string | null;
  firstName: string;
  surname: string;
  address: string[];
  postcode: string;
  dateOfBirth: string;
  sex: string;
  ethnicity: string | null;
  icd10: string;
  admissionDate: string;
  dischargeDate: string;
  patientType: string;
  nhsFunded: boolean;
  subIcbCode: string | null;
  email: string | null;
  mobile: string | null;
}

/** Where and what, in words a trust's data manager can act on. Never echoes identifiable values. */
export interface RowProblem { row: number; column: string; message: string }

export interface RowRules {
  trustCode: string;
  periodStart: string;
  periodEnd: string;
  minimumAge: number;
  /** Older at discharge than this: excluded `over_15` (the Under-16 survey); undefined, no upper limit. */
  maximumAge?: number;
  inScope: (icd10: string) => boolean;
}

export type RowVerdict =
  | { kind: 'rejected'; problems: RowProblem[]; warnings: RowProblem[] }
  | { kind: 'read'; record: SampleRecord; exclusion: ExclusionReason | null; warnings: RowProblem[] };

const ETHNICITY = /^([A-HJ-NPRSZ]|99)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Letters of any script, marks, spaces and the punctuation found in names (O'Neill, Smith-Jones, St. John).
const NAME = /^[\p{L}\p{M}][\p{L}\p{M} '’.\-]*$/u;
const MAX_TEXT = 100;

/**
 * Reads one data row: rejects it with every problem found, or normalises it and applies the
 * exclusion rules that need only the row itself (1–6; deceased and duplicate need the database
 * and the whole file). Optional fields that are malformed are dropped with a warning rather than
 * losing the patient.
 */
export function readSampleRow(cells: string[], rowNumber: number, header: HeaderMap, rules: RowRules): RowVerdict {
  const problems: RowProblem[] = [];
  const warnings: RowProblem[] = [];
  const cell = (column: SampleColumn) => {
    const i = header.index[column];
    const value = i === -1 ? '' : (cells[i] ?? '').trim();
    // A quoted line break inside a cell is the trust's own line split: keep it as a separator.
    return value.includes('\n') ? value.replace(/\s*\r?\n\s*/g, column.startsWith('address_') ? ', ' : ' ') : value;
  };
  const reject = (column: string, message: string) => problems.push({ row: rowNumber, column, message });
  const required = (column: SampleColumn): string => {
    const value = cell(column);
    if (!value) reject(column, `${column} is missing`);
    return value;
  };
  const optional = (column: SampleColumn, valid: (v: string) => boolean, what: string): string | null => {
    const value = cell(column);
    if (!value) return null;
    if (valid(value)) return value;
    warnings.push({ row: rowNumber, column, message: `${column} is not ${what}; it was ignored` });
    return null;
  };
  const text = (column: SampleColumn, value: string, isName = false) => {
    if (!value) return;
    if (value.length > MAX_TEXT) reject(column, `${column} is longer than ${MAX_TEXT} characters`);
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f]/.test(value)) reject(column, `${column} contains control characters or a line break`);
    else if (value.includes('\uFFFD')) reject(column, `${column} has characters that are not UTF-8: save the file as "CSV UTF-8" and upload again`);
    else if (isName && !NAME.test(value)) reject(column, `${column} must be letters, spaces, hyphens or apostrophes`);
  };
  const date = (column: SampleColumn): string => {
    const raw = required(column);
    if (!raw) return '';
    const iso = parseSampleDate(raw);
    if (!iso) reject(column, `${column} must be a real date written YYYY-MM-DD or DD/MM/YYYY`);
    return iso ?? '';
  };

  const trustCode = required('trust_code').toUpperCase();
  if (trustCode && trustCode !== rules.trustCode) {
    reject('trust_code', `trust_code is not the uploading trust's code (${rules.trustCode})`);
  }
  const patientRecordNumber = required('patient_record_number');
  text('patient_record_number', patientRecordNumber);

  const rawNhs = required('nhs_number');
  const nhsNumber = rawNhs ? normaliseNhsNumber(rawNhs) : undefined;
  if (rawNhs && !nhsNumber) reject('nhs_number', 'nhs_number is not a valid NHS number (10 digits with a correct check digit)');

  const title = cell('title') || null;
  if (title) text('title', title);
  const firstName = required('first_name');
  text('first_name', firstName, true);
  const surname = required('surname');
  text('surname', surname, true);

  const address1 = required('address_1');
  const address = [address1, cell('address_2'), cell('address_3'), cell('address_4'), cell('address_5')];
  address.forEach((line, i) => text(`address_${i + 1}` as SampleColumn, line));

  const rawPostcode = required('postcode');
  const postcode = rawPostcode ? normalisePostcode(rawPostcode) : undefined;
  if (rawPostcode && !postcode) reject('postcode', 'postcode is not a valid UK postcode');

  const dateOfBirth = date('date_of_birth');
  const sex = required('sex');
  if (sex && !/^[0129]$/.test(sex)) reject('sex', 'sex must be 1 (male), 2 (female), 9 (indeterminate) or 0 (not known)');

  const rawIcd10 = required('icd10');
  const icd10 = rawIcd10 ? normaliseIcd10(rawIcd10) : undefined;
  if (rawIcd10 && !icd10) reject('icd10', 'icd10 is not an ICD-10 code such as C50.9, C509 or C50');

  const admissionDate = date('admission_date');
  const dischargeDate = date('discharge_date');
  if (admissionDate && dischargeDate && admissionDate > dischargeDate) {
    reject('admission_date', 'admission_date is after discharge_date');
  }
  if (dateOfBirth && admissionDate && dateOfBirth > admissionDate) {
    reject('date_of_birth', 'date_of_birth is after admission_date');
  }

  const patientType = required('patient_type');
  if (patientType && !/^[12]$/.test(patientType)) reject('patient_type', 'patient_type must be 1 (inpatient) or 2 (day case)');
  const funded = required('nhs_funded').toUpperCase();
  if (funded && funded !== 'Y' && funded !== 'N') reject('nhs_funded', 'nhs_funded must be Y or N');

  const siteCode = optional('site_code', (v) => /^[A-Z0-9]{5}$/i.test(v), 'a 5-character ODS site code');
  const ethnicity = optional('ethnicity', (v) => ETHNICITY.test(v.toUpperCase()), 'an NHS ethnic category code');
  const subIcbCode = optional('sub_icb_code', (v) => /^[A-Z0-9]{3,9}$/i.test(v), 'a sub-ICB location code');
  const email = optional('email', (v) => EMAIL.test(v) && v.length <= 254, 'an e-mail address');
  const mobile = optional('mobile', (v) => /^(\+44|0)7\d{9}$/.test(v.replace(/[\s-]/g, '')), 'a UK mobile number');

  if (problems.length) return { kind: 'rejected', problems, warnings };

  const record: SampleRecord = {
    rowNumber, trustCode, siteCode: siteCode?.toUpperCase() ?? null, patientRecordNumber, nhsNumber: nhsNumber!,
    title, firstName, surname, address: address.filter(Boolean), postcode: postcode!, dateOfBirth, sex,
    ethnicity: ethnicity?.toUpperCase() ?? null, icd10: icd10!, admissionDate, dischargeDate, patientType,
    nhsFunded: funded === 'Y', subIcbCode: subIcbCode?.toUpperCase() ?? null, email,
    mobile: mobile?.replace(/[\s-]/g, '') ?? null,
  };
  return { kind: 'read', record, exclusion: firstExclusion(record, rules), warnings };
}

function firstExclusion(r: SampleRecord, rules: RowRules): ExclusionReason | null {
  const age = ageOn(r.dateOfBirth, r.dischargeDate);
  if (age < rules.minimumAge) return 'under_16';
  if (rules.maximumAge !== undefined && age > rules.maximumAge) return 'over_15';
  if (r.dischargeDate < rules.periodStart || r.dischargeDate > rules.periodEnd) return 'outside_period';
  if (!rules.inScope(r.icd10)) return 'not_cancer';
  if (!r.nhsFunded) return 'private_patient';
  if (isPseudoPostcode(r.postcode) || r.address.length < 2) return 'no_address';
  return null;
}
