/**
 * Errors the domain raises, each with a stable code. Services throw these and stay free of
 * HTTP; the one exception filter and the CLI map them to a status and one body shape.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 409,
  file_rejected: 422,
  too_many_requests: 429,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  /** Where the problem is: a field name, a column, "row 12, nhs_number", … */
  where?: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Not found, said without the value looked up: "No survey has that code: check the survey code". */
export class NotFoundError extends DomainError {
  constructor(message: string, where?: string) {
    super('not_found', message, where ? [{ where, message: 'not found' }] : []);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** The single error body every caller sees, over HTTP and from `--json` CLI commands. */
export interface ErrorBody {
  error: { code: ErrorCode | string; message: string; details?: ErrorDetail[] };
}

export function errorBody(code: string, message: string, details?: ErrorDetail[]): ErrorBody {
  return { error: details?.length ? { code, message, details } : { code, message } };
}
