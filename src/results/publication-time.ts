/** When a survey's results are public: its publicationAt has come. Unset means not yet. */
export function isPublished(publicationAt: string | null | undefined, now = Date.now()): boolean {
  return typeof publicationAt === 'string' && Date.parse(publicationAt) <= now;
}

/** "10 June 2027 at 9:30am", in London (the time people in England read). */
export function publicationTime(instant: string): string {
  const d = new Date(instant);
  const date = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
  const time = d.toLocaleTimeString('en-GB', { hour: 'numeric', minute: '2-digit', hour12: true, timeZone: 'Europe/London' }).replace(/\s/g, '').toLowerCase();
  return `${date} at ${time}`;
}

/** The one sentence everyone refused before publication reads, and the public page shows. */
export function publicationSentence(surveyName: string, publicationAt: string | null | undefined, published = isPublished(publicationAt)): string {
  if (!publicationAt) return `Results of ${surveyName} are not published yet, and no publication date has been set yet.`;
  return published ? `Results of ${surveyName} were published on ${publicationTime(publicationAt)}.`
    : `Results of ${surveyName} will be published on ${publicationTime(publicationAt)}.`;
}
