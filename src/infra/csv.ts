/**
 * The one CSV writer: every CSV the service writes (reports, the rejected rows of a sample file,
 * print manifests) goes through here, so none is written by hand.
 *
 * Spreadsheets run a cell that begins with = + - @ (or a tab or carriage return before one) as a
 * formula: a trust name or an address such as =HYPERLINK(…) would run on a coordinator's machine
 * (CSV injection). Text cells beginning with those characters get a leading apostrophe, which
 * spreadsheets show as text and do not display (the OWASP rule). Numbers are passed as numbers
 * and written as they are, so -3 or 12.5 stay numbers.
 */
export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell made safe to open in a spreadsheet; numbers and empty cells are left alone. */
export function neutraliseFormula(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** One CSV field, neutralised, then quoted (RFC 4180) only when it holds a comma, quote or line break. */
export function csvCell(value: CsvValue): string {
  const text = neutraliseFormula(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows to CSV text with CRLF line ends, as spreadsheets expect. */
export function csvLines(rows: CsvValue[][]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
