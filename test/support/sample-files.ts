import ExcelJS from 'exceljs';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_COLUMNS } from '../../src/samples/sample-columns';
import { syntheticNhsNumber } from '../../bench/sample-file-generator';

export type Row = Record<string, string>;
export const COLUMNS = Object.keys(SAMPLE_COLUMNS);

/** A clearly synthetic eligible patient of CPES-2026 at trust RXX; override what a test needs. */
export function patientRow(n: number, changes: Row = {}): Row {
  return {
    trust_code: 'RXX', site_code: 'RXX01', patient_record_number: `PRN${n}`, nhs_number: syntheticNhsNumber(n),
    title: 'Ms', first_name: 'Testy', surname: `Synthetic${String.fromCharCode(65 + (n % 26))}`,
    address_1: `${n} Synthetic Street`, address_2: 'Testville', address_3: '', address_4: '', address_5: '',
    postcode: 'LS1 4AB', date_of_birth: '1950-01-01', sex: '2', ethnicity: 'A', icd10: 'C50.9',
    admission_date: '2026-05-01', discharge_date: '2026-05-02', patient_type: '1', nhs_funded: 'Y',
    sub_icb_code: '15F', email: '', mobile: '', ...changes,
  };
}

const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

// Under this worker's storage folder, which the global teardown removes with everything in it.
const base = process.env.STORAGE_DIR ?? tmpdir();
mkdirSync(base, { recursive: true });
export const tmp = mkdtempSync(join(base, 'sample-files-'));

/** Writes rows as CSV (UTF-8 with BOM, CRLF, RFC 4180 quoting) and returns the path. */
export function csvFile(name: string, rows: Row[], columns = COLUMNS): string {
  const lines = [columns.join(','), ...rows.map((r) => columns.map((c) => quote(r[c] ?? '')).join(','))];
  const path = join(tmp, name);
  writeFileSync(path, '\uFEFF' + lines.join('\r\n') + '\r\n');
  return path;
}

/** The same rows as an .xlsx workbook, with dates as real Excel dates and NHS numbers as numbers. */
export async function xlsxFile(name: string, rows: Row[]): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Sample');
  sheet.addRow(COLUMNS.map((c) => c.toUpperCase()));
  for (const r of rows) {
    sheet.addRow(COLUMNS.map((c) => {
      const v = r[c] ?? '';
      if (c.endsWith('_date') || c === 'date_of_birth') return /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : v;
      if (c === 'nhs_number' && /^\d{10}$/.test(v)) return Number(v);
      return v;
    }));
  }
  const path = join(tmp, name);
  await workbook.xlsx.writeFile(path);
  return path;
}
