import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches } from 'class-validator';

/** A calendar date written YYYY-MM-DD that exists (no 2026-02-30). */
export const IsIsoDate = () =>
  applyDecorators(
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: ({ property }) => `${property} must be a date written YYYY-MM-DD` }),
    IsISO8601({ strict: true }, { message: ({ property }) => `${property} is not a real calendar date` }),
  );
