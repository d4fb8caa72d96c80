export interface ResultsSettings {
  /** Figures resting on fewer respondents than this are withheld (survey setting, default 21). */
  suppressionThreshold: number;
  /**
   * The survey's age bands in order (surveyAgeBands' groups): the age breakdown's groups and the
   * case-mix model's age categories. The adult bands when absent.
   */
  ageBands?: readonly string[];
}

export const DEFAULT_RESULTS_SETTINGS: ResultsSettings = { suppressionThreshold: 21 };

export const Z95 = 1.959964;
export const Z998 = 3.090232;

/**
 * One decimal place, half away from zero (so +1.25 and −1.25 show as 1.3 and −1.3). The value
 * is first cut to 12 significant digits so that float noise (1.45 held as 1.4499…) does not
 * decide a half; null passes through for withheld figures.
 */
export function round1(value: number): number;
export function round1(value: number | null): number | null;
export function round1(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return value;
  const tenths = Number((Math.abs(value) * 10).toPrecision(12));
  const rounded = Math.floor(tenths + 0.5) / 10;
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}

/** 100 × part ÷ whole, unrounded; null when there is no base. */
export function score(part: number, whole: number): number | null {
  return whole > 0 ? (100 * part) / whole : null;
}
