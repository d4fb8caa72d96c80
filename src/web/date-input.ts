/**
 * The NHS / GOV.UK date input: Day, Month and Year in three boxes (name-day, name-month,
 * name-year). Parsed here into an ISO date, or refused with a sentence saying what to enter.
 */
export interface DateParts { day: string; month: string; year: string }

export type DateInputResult = { iso: string } | { error: string } | { empty: true };

export function dateParts(values: Record<string, unknown>, name: string): DateParts {
  const part = (suffix: string) => {
    const v = values[`${name}-${suffix}`];
    return typeof v === 'string' ? v.trim() : '';
  };
  return { day: part('day'), month: part('month'), year: part('year') };
}

/** `what` names the date in the messages: "the date of birth". */
export function parseDateParts(parts: DateParts, what: string, example = '27 3 1950'): DateInputResult {
  const [day, month, year] = [parts.day.trim(), parts.month.trim(), parts.year.trim()];
  if (!day && !month && !year) return { empty: true };
  const missing = [!day && 'day', !month && 'month', !year && 'year'].filter(Boolean) as string[];
  if (missing.length) {
    return { error: `Enter ${what} with a ${missing.join(' and a ')}, for example ${example}.` };
  }
  if (![day, month, year].every((p) => /^\d+$/.test(p)) || year.length !== 4) {
    return { error: `Enter ${what} in numbers, with a 4-digit year, for example ${example}.` };
  }
  const [d, m, y] = [Number(day), Number(month), Number(year)];
  const real = m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (!real) return { error: `Enter ${what} as a real date, for example ${example}.` };
  const iso = `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (y < 1880) return { error: `Enter ${what} as a year from 1880 on, for example ${example}.` };
  if (iso > new Date().toISOString().slice(0, 10)) return { error: `Enter ${what}, which must be today or in the past, for example ${example}.` };
  return { iso };
}
