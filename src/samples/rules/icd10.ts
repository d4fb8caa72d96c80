/** "C50.9", "C509", "c50" → "C50.9", "C50.9", "C50"; undefined when not an ICD-10 code. */
export function normaliseIcd10(raw: string): string | undefined {
  const match = /^([A-Z]\d{2})\.?([0-9A-Z]{1,2})?$/.exec(raw.trim().toUpperCase());
  if (!match) return undefined;
  return match[2] ? `${match[1]}.${match[2]}` : match[1];
}

/** Compiles a scope such as ["C00-C97", "D05"] into a test of a normalised code's category. */
export function icd10ScopeMatcher(scope: string[]): (code: string) => boolean {
  const ranges = scope.map((entry) => {
    const [from, to = from] = entry.split('-');
    return [from, to] as const;
  });
  return (code) => {
    const category = code.slice(0, 3);
    return ranges.some(([from, to]) => category >= from && category <= to);
  };
}
