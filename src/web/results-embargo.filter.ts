import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ResultsEmbargoed } from '../results/results-access';
import { HOME, Pages } from './pages';

/**
 * A results page refused because the results are not published yet says when they will be
 * (the general error page only says "You do not have access").
 */
@Catch(ResultsEmbargoed)
export class ResultsEmbargoPageFilter implements ExceptionFilter {
  constructor(private readonly pages: Pages) {}

  catch(exception: ResultsEmbargoed, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    res.status(403).type('html').setHeader('Cache-Control', 'no-store');
    res.send(this.pages.renderToString('message.njk', {
      title: 'These results are not published yet', paragraphs: [exception.message],
      user: req.principal, home: req.principal ? HOME[req.principal.role] : null,
    }));
  }
}
