import { QueryFailedError } from 'typeorm';

/** PostgreSQL unique_violation (23505). */
export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof QueryFailedError && (error.driverError as { code?: string })?.code === '23505';
