import type { ResultsSettings } from './settings';

/** Primary suppression: a figure resting on fewer respondents than the threshold is withheld. */
export function isSuppressed(base: number, settings: ResultsSettings): boolean {
  return base < settings.suppressionThreshold;
}

/**
 * Secondary suppression over the cells of a breakdown whose total is shown: when exactly one
 * cell is withheld, the next smallest cell (ties: the first in table order) is withheld too,
 * so the withheld one cannot be recovered by subtraction. Empty cells count for nothing —
 * there is nothing in them to protect or to subtract. Returns the index newly withheld.
 */
export function secondarySuppression(cells: readonly { base: number; suppressed: boolean }[]): number | null {
  const withheld = cells.filter((c) => c.suppressed && c.base > 0).length;
  if (withheld !== 1) return null;
  let next: number | null = null;
  cells.forEach((c, i) => {
    if (!c.suppressed && c.base > 0 && (next === null || c.base < cells[next].base)) next = i;
  });
  return next;
}
