/** The sample file's columns (README, "Sample files"). */
export const SAMPLE_COLUMNS = {
  trust_code: true, site_code: false, patient_record_number: true, nhs_number: true, title: false,
  first_name: true, surname: true, address_1: true, address_2: false, address_3: false, address_4: false,
  address_5: false, postcode: true, date_of_birth: true, sex: true, ethnicity: false, icd10: true,
  admission_date: true, discharge_date: true, patient_type: true, nhs_funded: true, sub_icb_code: false,
  email: false, mobile: false,
} as const;

export type SampleColumn = keyof typeof SAMPLE_COLUMNS;
export const REQUIRED_COLUMNS = (Object.keys(SAMPLE_COLUMNS) as SampleColumn[]).filter((c) => SAMPLE_COLUMNS[c]);

export interface HeaderMap {
  /** Position of each known column in a row; -1 when absent. */
  index: Record<SampleColumn, number>;
  missing: SampleColumn[];
  repeated: string[];
  unknown: string[];
}

/** Column names are matched case-insensitively, ignoring surrounding spaces and a BOM. */
export function mapHeader(header: string[]): HeaderMap {
  const index = Object.fromEntries(Object.keys(SAMPLE_COLUMNS).map((c) => [c, -1])) as Record<SampleColumn, number>;
  const repeated: string[] = [];
  const unknown: string[] = [];
  header.forEach((raw, position) => {
    const name = raw.replace(/^\uFEFF/, '').trim().toLowerCase();
    if (!name) return;
    if (!(name in SAMPLE_COLUMNS)) return void unknown.push(raw.trim());
    const column = name as SampleColumn;
    if (index[column] !== -1) repeated.push(column);
    else index[column] = position;
  });
  return { index, missing: REQUIRED_COLUMNS.filter((c) => index[c] === -1), repeated, unknown };
}
