/**
 * A percentage to one decimal place, rounded half up in whole numbers (no floating-point
 * drift: 1 of 16 is 6.3, 1 of 8 is 12.5); null when there is nothing to divide by.
 */
export function percent(part: number, whole: number): number | null {
  if (!whole) return null;
  return Math.floor((2000 * part + whole) / (2 * whole)) / 10;
}

export const OUTCOME_CODES = [1, 2, 3, 4, 5, 6, 7] as const;
export type OutcomeCounts = Record<(typeof OUTCOME_CODES)[number], number>;

/** Outcome codes that leave the response-rate base (FIELDWORK-RULES: undelivered, died, not eligible). */
export const OUT_OF_BASE = [2, 3, 5, 7] as const;

export function adjustedRate(sampled: number, outcomes: OutcomeCounts): number | null {
  return percent(outcomes[1], sampled - OUT_OF_BASE.reduce((n, code) => n + outcomes[code], 0));
}
