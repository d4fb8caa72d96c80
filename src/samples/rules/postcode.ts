// UK postcode shape: outward code (A9, A99, AA9, AA99, A9A, AA9A) then inward code (9AA).
const POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$/;

/** "sw1a1aa" → "SW1A 1AA"; undefined when the shape is not a UK postcode. */
export function normalisePostcode(raw: string): string | undefined {
  const match = POSTCODE.exec(raw.trim().toUpperCase().replace(/\s+/g, ' '));
  return match ? `${match[1]} ${match[2]}` : undefined;
}

/** ZZ99 pseudo-postcodes are recorded for people of no fixed abode: no address to post to. */
export const isPseudoPostcode = (postcode: string) => postcode.startsWith('ZZ99');
