/** "C50.9", "C509", "c50" → "C50.9", "C50.9", "C50"; undefined when not an ICD-10 code. */
export function normaliseIcd10(raw: string): string | undefined {
  const match = /^([A-Z]\d{2})\.?([0-9A-Z]{1,2})?$/.exec(raw.trim().toUpperCase());
  if (!match) return undefined;
  return match[2] ? `${match[1]}.${match[2]}` : match[1];
}

/**
 * Compiles a scope such as ["C00-C97", "D05", "D35.2-D35.4", "D44.3"] into a test of a
 * normalised code. A three-character bound takes its whole category; a four-character bound
 * (a subcategory) is compared at that level, so "D35.2-D35.4" takes D35.3 and D35.21 but not
 * D35.1, nor a bare D35 (whose subcategory is unknown).
 */
export function icd10ScopeMatcher(scope: string[]): (code: string) => boolean {
  const ranges = scope.map((entry) => {
    const [from, to = from] = entry.split('-');
    return [from, to] as const;
  });
  return (code) => {
    const category = code.slice(0, 3);
    const subcategory = code.length > 4 ? code.slice(0, 5) : null;
    const atLeast = (bound: string) => (bound.length === 3 ? category >= bound
      : category > bound.slice(0, 3) || (subcategory !== null && subcategory >= bound));
    const atMost = (bound: string) => (bound.length === 3 ? category <= bound
      : category < bound.slice(0, 3) || (subcategory !== null && subcategory <= bound));
    return ranges.some(([from, to]) => atLeast(from) && atMost(to));
  };
}
