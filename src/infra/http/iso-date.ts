import { applyDecorators } from '@nestjs/common';
import { isISO8601, IsISO8601, Matches } from 'class-validator';

/** A calendar date written YYYY-MM-DD that exists (no 2026-02-30). */
export const IsIsoDate = () =>
  applyDecorators(
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: ({ property }) => `${property} must be a date written YYYY-MM-DD` }),
    IsISO8601({ strict: true }, { message: ({ property }) => `${property} is not a real calendar date` }),
  );

/** An instant: a real date and time with its offset from UTC, e.g. 2027-06-10T09:30:00Z or 2027-06-10T09:30:00+01:00. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export const IsIsoInstant = () =>
  applyDecorators(
    Matches(INSTANT, { message: ({ property }) => `${property} must be a date and time with its offset from UTC, e.g. 2027-06-10T09:30:00Z` }),
    IsISO8601({ strict: true }, { message: ({ property }) => `${property} is not a real date and time` }),
  );

/** The instant in one spelling (UTC, whole seconds without ".000"), or null when text is not a real instant. */
export function canonicalInstant(text: string): string | null {
  if (!INSTANT.test(text) || !isISO8601(text, { strict: true })) return null;
  return new Date(text).toISOString().replace('.000Z', 'Z');
}
