import { csvLines } from '../infra/csv';
import { SAMPLE_COLUMNS, SampleColumn } from './sample-columns';
import { EXCLUSION_REASONS, ExclusionReason } from './sample-row';

/**
 * The sample file's layout in words, for the trust's format page, the CSV template and the
 * README's table (a test keeps the README equal to `readmeColumnTable()`). Keyed by column, so
 * a column the reader accepts cannot be left undescribed: the compiler refuses the gap.
 */
export interface ColumnDescription { format: string; example: string }

export const COLUMN_DESCRIPTIONS: Record<SampleColumn, ColumnDescription> = {
  trust_code: { format: "The uploading trust's ODS code, for example RXX; it must be the trust uploading the file.", example: 'RXX' },
  site_code: { format: 'The ODS code of the hospital site, 5 letters or digits. A malformed code is ignored with a warning.', example: 'RXX01' },
  patient_record_number: { format: "The trust's own number for the row (for example the hospital number), different on every row of the file.", example: 'SYNTH-0001' },
  nhs_number: { format: '10 digits, spaces allowed (943 476 5919), with a valid check digit.', example: '943 476 5919' },
  title: { format: 'Free text, for example Mrs or Dr.', example: 'Ms' },
  first_name: { format: "Letters of any alphabet, spaces, hyphens and apostrophes (Łukasz, Nguyễn, O'Neill); up to 100 characters.", example: 'Example' },
  surname: { format: "Letters of any alphabet, spaces, hyphens and apostrophes (Łukasz, Nguyễn, O'Neill); up to 100 characters.", example: 'Synthetic' },
  address_1: { format: 'The first line of the address; up to 100 characters.', example: '1 Example Street' },
  address_2: { format: 'Further address line. A patient needs at least two address lines to be sent a questionnaire.', example: 'Testville' },
  address_3: { format: 'Further address line.', example: '' },
  address_4: { format: 'Further address line.', example: '' },
  address_5: { format: 'Further address line.', example: '' },
  postcode: { format: 'A UK postcode, for example LS1 4AP. ZZ99 pseudo-postcodes mean no fixed abode.', example: 'LS1 4AP' },
  date_of_birth: { format: 'A real date written YYYY-MM-DD or DD/MM/YYYY.', example: '1950-03-27' },
  sex: { format: '1 male, 2 female, 9 indeterminate, 0 not known.', example: '2' },
  ethnicity: { format: 'NHS ethnic category code (A to H, J to N, P, R, S, Z, or 99). A malformed code is ignored with a warning.', example: 'A' },
  icd10: { format: 'The primary diagnosis as an ICD-10 code: C50.9, C509 or C50. Give the subcategory (D35.3, not D35) where the survey takes only some subcategories of a category.', example: 'C50.9' },
  admission_date: { format: 'A real date written YYYY-MM-DD or DD/MM/YYYY, on or before the discharge date and not before the date of birth.', example: '2026-05-10' },
  discharge_date: { format: 'A real date written YYYY-MM-DD or DD/MM/YYYY.', example: '2026-05-12' },
  patient_type: { format: '1 inpatient, 2 day case.', example: '1' },
  nhs_funded: { format: 'Y if the NHS paid for the care, N for a private patient.', example: 'Y' },
  sub_icb_code: { format: 'The sub-ICB location where the patient lives, 3 to 9 letters or digits, for results by ICB. A malformed code is ignored with a warning.', example: '15F' },
  email: { format: 'An e-mail address, for invitations and reminders by e-mail. A malformed address is ignored with a warning.', example: 'patient@example.invalid' },
  mobile: { format: 'A UK mobile number (07… or +447…). A malformed number is ignored with a warning.', example: '07700 900123' },
};

/** Each exclusion as a trust reads it in the report, in the order the rules apply. */
export const EXCLUSION_SENTENCES: Record<ExclusionReason, string> = {
  under_16: 'Excluded: the patient was under 16 at discharge.',
  over_15: 'Excluded: the patient was 16 or over at discharge (the Under-16 survey is for children aged 0 to 15).',
  outside_period: "Excluded: the discharge date is outside the survey's sample period.",
  not_cancer: "Excluded: the diagnosis (ICD-10 code) is not one of the cancers the survey covers.",
  private_patient: 'Excluded: the patient was treated privately, not funded by the NHS.',
  no_address: 'Excluded: there is no address to post to (a ZZ99 postcode or fewer than two address lines).',
  deceased: "Excluded: the patient is on the survey's list of people who have died.",
  duplicate: "Excluded: another row has the same NHS number; the row with the latest discharge (then the latest admission, then the earlier row) is kept.",
};

/** Why a row is rejected (it cannot be read), in words. */
export const REJECTION_RULES = [
  'A required column is empty.',
  'A value is not in the format given for its column: an NHS number with a wrong check digit, a date that does not exist (31/02/1950), an unknown code.',
  'The trust code is not the uploading trust.',
  'The admission date is after the discharge date, or the date of birth is after the admission date.',
  'The patient record number repeats an earlier row.',
  'A text value is longer than 100 characters, contains a line break or control character, or is not UTF-8.',
];

/** Whole-file rules, in words. */
export const FILE_RULES = [
  'CSV saved as UTF-8 (comma separated, one header row) or an Excel .xlsx file with the same columns.',
  'Column names in any order and any case; a required column missing, or a column given twice, rejects the whole file.',
  "If more than the survey's allowed share of rows is rejected, the whole file is rejected and nothing is stored.",
  "An accepted file replaces the trust's previous file until the sample is locked.",
  'The Under-16 survey takes files only from trusts marked as Principal Treatment Centres: a file from another trust is refused whole.',
];

export interface FormatColumn { name: SampleColumn; required: boolean; format: string }

export function sampleFormatColumns(): FormatColumn[] {
  return (Object.keys(SAMPLE_COLUMNS) as SampleColumn[]).map((name) => ({ name, required: SAMPLE_COLUMNS[name], format: COLUMN_DESCRIPTIONS[name].format }));
}

export const EXCLUSIONS_IN_ORDER = EXCLUSION_REASONS.map((reason) => ({ reason, sentence: EXCLUSION_SENTENCES[reason] }));

/** The header row and one clearly synthetic row (a test NHS number, a made-up name and street). */
export function sampleTemplateCsv(): string {
  const columns = Object.keys(SAMPLE_COLUMNS) as SampleColumn[];
  return csvLines([columns, columns.map((c) => COLUMN_DESCRIPTIONS[c].example)]);
}

/** The README's column table, one line per column: the README must hold exactly these lines. */
export function readmeColumnTable(): string {
  return ['| column | required | format / rule |', '|---|---|---|',
    ...sampleFormatColumns().map((c) => `| \`${c.name}\` | ${c.required ? 'yes' : 'no'} | ${c.format} |`)].join('\n');
}
