import { type CaseMixSpace, caseMixSpace, patternOf } from './case-mix';
import type { Respondent } from './groups';
import type { ResultsSettings } from './settings';

/**
 * Respondents with their organisations and case-mix pattern read once, so that scoring sixty
 * questions does not look them up sixty times. Build it with prepareRespondents and pass it
 * wherever respondents are taken, with the settings they are scored under (the survey's age
 * bands); a plain array is prepared on each call.
 */
export interface PreparedRespondents {
  readonly respondents: readonly Respondent[];
  readonly trusts: readonly string[];
  readonly icbs: readonly string[];
  readonly alliances: readonly string[];
  /** Index into trusts / icbs / alliances per respondent (-1: no ICB or alliance). */
  readonly trustOf: Int32Array;
  readonly icbOf: Int32Array;
  readonly allianceOf: Int32Array;
  /** Case-mix covariate pattern per respondent, numbered in caseMix (the survey's age bands). */
  readonly pattern: Int32Array;
  readonly caseMix: CaseMixSpace;
}

export function prepareRespondents(
  respondents: readonly Respondent[] | PreparedRespondents,
  settings: Pick<ResultsSettings, 'ageBands'> = {},
): PreparedRespondents {
  if (!Array.isArray(respondents)) return respondents as PreparedRespondents;
  const caseMix = caseMixSpace(settings.ageBands);
  const list = respondents as readonly Respondent[];
  const codes = (of: (r: Respondent) => string | null) => [...new Set(list.map(of).filter((c): c is string => c !== null))].sort(byCode);
  const trusts = codes((r) => r.trust);
  const icbs = codes((r) => r.icb);
  const alliances = codes((r) => r.alliance);
  const indexOf = (xs: string[]) => new Map(xs.map((x, i) => [x, i]));
  const [ti, ii, ai] = [indexOf(trusts), indexOf(icbs), indexOf(alliances)];
  const n = list.length;
  const out = {
    respondents: list, trusts, icbs, alliances, caseMix,
    trustOf: new Int32Array(n), icbOf: new Int32Array(n), allianceOf: new Int32Array(n), pattern: new Int32Array(n),
  };
  list.forEach((r, i) => {
    out.trustOf[i] = ti.get(r.trust)!;
    out.icbOf[i] = r.icb === null ? -1 : ii.get(r.icb)!;
    out.allianceOf[i] = r.alliance === null ? -1 : ai.get(r.alliance)!;
    out.pattern[i] = patternOf(r, caseMix);
  });
  return out;
}

export function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
