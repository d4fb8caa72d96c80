/**
 * The results method of RESULTS-METHOD.md as pure functions: no database, no Nest. The data
 * side supplies respondents and questions; presentation rounds with round1.
 */
export * from './groups';
export * from './settings';
export * from './classify';
export * from './logistic';
export * from './case-mix';
export * from './prepared';
export * from './suppression';
export * from './scores';
export * from './frequencies';
export * from './breakdown';
export * from './trend';
export * from './league';

import type { Respondent } from './groups';
import type { PreparedRespondents } from './prepared';

/** Each trust's number of respondents (the league table's eligibility count). */
export function respondentsPerTrust(respondents: readonly Respondent[] | PreparedRespondents): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of Array.isArray(respondents) ? respondents : (respondents as PreparedRespondents).respondents) {
    counts.set(r.trust, (counts.get(r.trust) ?? 0) + 1);
  }
  return counts;
}
