import { randomFillSync } from 'node:crypto';

// Damm's quasigroup of order 10: its check digit catches every single wrong digit and every
// swap of two adjacent digits, the two mistakes people make reading numbers out.
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3], [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6], [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7], [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/**
 * Survey references read well over the phone: trust code, six digits, check digit
 * ("RXX-004821-7"). The check digit (Damm) runs over the trust code, letters as 10..35, and
 * the number, so a reference with another trust's prefix fails too.
 */
export function checkDigit(trustCode: string, sequence: number): number {
  let interim = trustPrefixState(trustCode);
  for (let unit = 100_000; unit >= 1; unit /= 10) interim = DAMM[interim][Math.floor(sequence / unit) % 10];
  return interim;
}

// A file draws thousands of references for one trust: its code's share of the check is worked out once.
const prefixStates = new Map<string, number>();
function trustPrefixState(trustCode: string): number {
  let state = prefixStates.get(trustCode);
  if (state === undefined) {
    state = 0;
    for (const ch of [...trustCode].map((c) => parseInt(c, 36)).join('')) state = DAMM[state][ch.charCodeAt(0) - 48];
    if (prefixStates.size < 10_000) prefixStates.set(trustCode, state);
  }
  return state;
}

export function formatReference(trustCode: string, sequence: number): string {
  return `${trustCode}-${String(sequence).padStart(6, '0')}-${checkDigit(trustCode, sequence)}`;
}

/**
 * The check digit as two table lookups, for references numbered in SQL: `afterHigh[h]` is the
 * Damm state after the trust code and the number's first three digits (h = sequence ÷ 1000),
 * `afterLow[state × 1000 + l]` the check after the last three (l = sequence mod 1000).
 */
export function checkDigitTables(trustCode: string): { afterHigh: number[]; afterLow: number[] } {
  const run = (state: number, three: number) => {
    for (let unit = 100; unit >= 1; unit /= 10) state = DAMM[state][Math.floor(three / unit) % 10];
    return state;
  };
  const prefix = trustPrefixState(trustCode);
  const afterHigh = Array.from({ length: 1000 }, (_, high) => run(prefix, high));
  const afterLow = Array.from({ length: 10_000 }, (_, i) => run(Math.floor(i / 1000), i % 1000));
  return { afterHigh, afterLow };
}

export type ReferenceCheck =
  | { ok: true; reference: string; trustCode: string; sequence: number }
  | { ok: false; problem: 'format' | 'check_digit' };

/** Reads a reference as typed or scanned (any case, spaces or hyphens) and verifies its check digit. */
export function parseReference(raw: string): ReferenceCheck {
  const match = /^([A-Z0-9]{3,5})[\s-]*(\d{6})[\s-]*(\d)$/.exec(raw.trim().toUpperCase());
  if (!match) return { ok: false, problem: 'format' };
  const [, trustCode, digits, check] = match;
  const sequence = Number(digits);
  if (checkDigit(trustCode, sequence) !== Number(check)) return { ok: false, problem: 'check_digit' };
  return { ok: true, reference: formatReference(trustCode, sequence), trustCode, sequence };
}

/** No 0/O, 1/I/L or 5/S: nothing a patient can misread from the letter. */
export const ACCESS_CODE_ALPHABET = 'ABCDEFGHJKMNPQRTUVWXYZ2346789';
const ACCESS_CODE_LENGTH = 12; // 29^12 ≈ 3.5e17 (58 bits): unguessable even before rate limiting

/** A random online access code, shown in groups of four: "K7MR-2XQP-9HTA". */
export function newAccessCode(): string {
  let code = '';
  for (let i = 0; i < ACCESS_CODE_LENGTH; i++) {
    if (i && i % 4 === 0) code += '-';
    code += ACCESS_CODE_ALPHABET[randomLetterIndex()];
  }
  return code;
}

// Random bytes drawn from the CSPRNG a few KB at a time (one call per ~300 codes, not one per
// letter). A byte below 232 = 8 × 29 maps evenly onto the 29 letters; the rest are skipped.
const UNBIASED_LIMIT = 256 - (256 % ACCESS_CODE_ALPHABET.length);
const randomPool = Buffer.alloc(4096);
let poolOffset = randomPool.length;
function randomLetterIndex(): number {
  for (;;) {
    if (poolOffset === randomPool.length) {
      randomFillSync(randomPool);
      poolOffset = 0;
    }
    const byte = randomPool[poolOffset++];
    if (byte < UNBIASED_LIMIT) return byte % ACCESS_CODE_ALPHABET.length;
  }
}
