import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ERROR_STATUS, errorBody, ErrorDetail } from './domain-error';

const HTTP_CODES: Record<number, string> = {
  400: 'validation_failed', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found',
  405: 'method_not_allowed', 409: 'conflict', 413: 'payload_too_large', 415: 'unsupported_media_type',
  422: 'file_rejected', 429: 'too_many_requests',
};

/** Maps every error to one body shape. Unexpected errors never echo their message (it may hold patient data). */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof DomainError) {
      res.status(ERROR_STATUS[exception.code]).json(errorBody(exception.code, exception.message, exception.details));
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse() as { message?: unknown; details?: ErrorDetail[] } | string;
      const message = typeof body === 'string' ? body
        : typeof body.message === 'string' ? body.message : exception.message;
      const details = typeof body === 'object' ? body.details : undefined;
      res.status(status).json(errorBody(HTTP_CODES[status] ?? 'error', message, details));
      return;
    }
    // Where it happened, not what it said: a message (first line of the stack) can quote data.
    const frames = ((exception as Error)?.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n');
    const code = (exception as { code?: unknown })?.code;
    this.logger.error(`Unexpected ${(exception as Error)?.name ?? 'error'}${typeof code === 'string' ? ` (${code})` : ''}`, frames);
    res.status(500).json(errorBody('internal_error', 'Something went wrong on our side; the error has been logged.'));
  }
}
