/**
 * NHS number: 10 digits, written with or without spaces ("943 476 5919"). The tenth digit is
 * a Modulus 11 check: weights 10..2 over the first nine, 11 − (sum mod 11), 11 → 0, 10 → invalid.
 */
export function normaliseNhsNumber(raw: string): string | undefined {
  const digits = raw.replace(/ /g, '');
  if (!/^\d{10}$/.test(digits)) return undefined;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  const check = 11 - (sum % 11);
  const expected = check === 11 ? 0 : check;
  return expected !== 10 && expected === digits.charCodeAt(9) - 48 ? digits : undefined;
}
