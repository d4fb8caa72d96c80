/** A date as people write it in England: "21 December 2026" (the day in London, not UTC). */
export function longDate(iso: string | Date): string {
  // A bare date (YYYY-MM-DD) is that day wherever it is read: taken at noon UTC it is the same day in London.
  const when = typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T12:00:00Z` : iso;
  return new Date(when).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
}

/** A moment as "21 December 2026 at 14:05", London time: uploads, calls and audit entries. */
export function longDateTime(iso: string | Date): string {
  const time = new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Europe/London' });
  return `${longDate(new Date(iso))} at ${time}`;
}
