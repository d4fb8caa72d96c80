/**
 * Sample files carry dates as YYYY-MM-DD or DD/MM/YYYY. Returns the ISO form of a date that
 * exists on the calendar, else undefined (so 30/02/2026 is refused, not rolled into March).
 */
export function parseSampleDate(raw: string): string | undefined {
  let y: number, m: number, d: number;
  if (raw.length === 10 && raw.charCodeAt(4) === 45 && raw.charCodeAt(7) === 45) {
    // YYYY-MM-DD, by far the commonest: read digit by digit, no regular expression per cell.
    y = digits(raw, 0, 4); m = digits(raw, 5, 7); d = digits(raw, 8, 10);
  } else {
    const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw);
    if (!match) return undefined;
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  }
  // Written so that NaN (a non-digit) fails every test.
  if (!(y >= 1880 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m))) return undefined;
  if (raw.length === 10 && raw.charCodeAt(4) === 45) return raw;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The number written in raw[from, to), or NaN if any character there is not a digit. */
function digits(raw: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = raw.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Whole years between two ISO dates (age at an event); a 29 February birthday turns over on 1 March. */
export function ageOn(dateOfBirth: string, on: string): number {
  // ISO dates compare as strings from the month on, so no parsing is needed: this runs per row.
  const years = Number(on.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  return on.slice(5) < dateOfBirth.slice(5) ? years - 1 : years;
}
