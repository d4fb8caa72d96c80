import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import { fieldErrors, Pages } from '../../web/pages';
import { CrossSiteRequestRefused } from '../http/same-origin.guard';
import { DomainError, ERROR_STATUS, errorBody } from './domain-error';

const HTTP_CODES: Record<number, string> = {
  400: 'validation_failed', 401: 'unauthenticated', 403: 'forbidden', 404: 'not_found',
  405: 'method_not_allowed', 409: 'conflict', 413: 'payload_too_large', 415: 'unsupported_media_type',
  422: 'file_rejected', 429: 'too_many_requests',
};

/** Maps every error to one body shape. Unexpected errors never echo their message (it may hold patient data). */
@Catch()
export class ErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@Optional() private readonly pages?: Pages) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    if (isPage(req)) return this.page(exception, req, res);
    if (exception instanceof DomainError) {
      res.status(ERROR_STATUS[exception.code]).json(errorBody(exception.code, exception.message, exception.details));
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      res.status(status).json(errorBody(HTTP_CODES[status] ?? 'error', frameworkMessage(status)));
      return;
    }
    this.logUnexpected(exception);
    res.status(500).json(errorBody('internal_error', 'Something went wrong on our side; the error has been logged.'));
  }

  /** Pages answer people: sign in first, or a page that says what happened. */
  private page(exception: unknown, req: Request, res: Response): void {
    const status = exception instanceof DomainError ? ERROR_STATUS[exception.code] : exception instanceof HttpException ? exception.getStatus() : 500;
    if (status === 401) return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    if (status === 500) this.logUnexpected(exception);
    const message = status === 500 ? 'Something went wrong on our side. Try again later; the error has been logged.'
      : exception instanceof CrossSiteRequestRefused ? exception.message
        : status === 403 ? (exception as Error).message.includes('new password') ? 'Choose a new password first.' : 'You do not have access to this page.'
          : status === 404 ? 'Page not found. Check the address, or go back and try again.'
            : exception instanceof DomainError ? exception.message : frameworkMessage(status);
    const title = status === 404 ? 'Page not found' : exception instanceof CrossSiteRequestRefused ? 'This form could not be sent'
      : status === 403 ? 'You do not have access' : status === 500 ? 'Sorry, there is a problem with the service' : 'There is a problem';
    // A form refused before its handler ran (e.g. text that cannot be stored): the summary names the field, the link leads back to the form.
    const details = exception instanceof DomainError && status === 400 ? exception.details : [];
    const link = formAgain(req);
    // The fields are on the form, not on this page: the summary's links lead there.
    const errors = details.length ? fieldErrors(details) : undefined;
    errors?.summary.forEach((item) => { item.href = link?.href ?? '#maincontent'; });
    const context = errors
      ? { title, errors, paragraphs: ['Go back to the form, correct what it names and send it again.'], link }
      : { title, paragraphs: [message] };
    res.status(status).type('html').send(this.pages?.renderToString('message.njk', { ...context, user: req.principal }) ?? message);
  }

  private logUnexpected(exception: unknown): void {
    // Where it happened, not what it said: a message (first line of the stack) can quote data.
    const frames = ((exception as Error)?.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n');
    const code = (exception as { code?: unknown })?.code;
    this.logger.error(`Unexpected ${(exception as Error)?.name ?? 'error'}${typeof code === 'string' ? ` (${code})` : ''}`, frames);
  }
}

/** The form a refused post came from (its own address, read with GET), when it is a path on this site. */
const formAgain = (req: Request) => (req.method === 'POST' && /^\/(?!\/)[\w\-/]*$/.test(req.path) ? { href: req.path, text: 'Go back to the form' } : undefined);

/**
 * What Nest, Express, body-parser and multer refuse comes as an HttpException whose text can
 * quote the request: "Cannot GET /api/surveys/<what was typed>", "Unexpected field - <name>", a
 * JSON parser's excerpt. Those texts are never passed on; our own refusals are DomainErrors.
 */
function frameworkMessage(status: number): string {
  return FRAMEWORK_MESSAGES[status] ?? (status < 500 ? 'The request was refused: check the address, method and body' : 'The service cannot answer this now');
}
const FRAMEWORK_MESSAGES: Record<number, string> = {
  400: 'The request cannot be read: check that the body is well-formed JSON, a form or a multipart upload with the field "file"',
  404: 'There is nothing at this address: check the address and the method',
  405: 'This address does not take that method',
  413: 'The request is too large',
  415: 'This kind of content is not accepted here',
};

/** A page request (not the API, assets or health check), answered in HTML. */
const isPage = (req: Request) => !/^\/(api|assets|health)(\/|$)/.test(req.path);
