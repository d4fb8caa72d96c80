import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import { OptOutResult, OptOutService } from '../responses/opt-out.service';
import { Pages } from './pages';

const SERVICE = { serviceName: 'Cancer Patient Experience Survey' };
const HELP = 'If you need help, call the survey helpline on the number in your letter or e-mail.';

/** What each standing tells the patient, and the status it is answered with. */
const OUTCOMES: Record<Exclude<OptOutResult['standing'], 'open'>, { status: number; title: string; paragraphs: string[] }> = {
  opted_out: {
    status: 200, title: 'You will not be contacted again about this survey',
    paragraphs: [
      'We have recorded that you do not want to take part. We will not send you any more letters or e-mails about this survey.',
      'This does not affect your care or treatment in any way.',
      'If a letter or e-mail was already on its way, please ignore it. You can close this page.',
    ],
  },
  responded: {
    status: 200, title: 'You have already taken part',
    paragraphs: [
      'We have received your answers. Thank you: we will not send you any more letters or e-mails about this survey, and there is nothing more you need to do.',
      HELP,
    ],
  },
  closed: {
    status: 409, title: 'This survey has finished',
    paragraphs: [
      'This survey has closed, so we will not send you any more letters or e-mails about it. There is nothing you need to do.',
      HELP,
    ],
  },
};

/**
 * The patient's "I do not want to take part" at /s/<access code>/opt-out: a page to confirm
 * it, and the same address as the List-Unsubscribe target of every e-mail, where a mail
 * provider's one-click POST (RFC 8058: body `List-Unsubscribe=One-Click`, no cookies) records
 * the opt-out with no page to read. Registered before the questionnaire's pages so no
 * `/s/:code/...` route of theirs can take this address.
 */
@Controller('s/:code/opt-out')
@Public()
export class OptOutPages {
  constructor(private readonly optOuts: OptOutService, private readonly pages: Pages) {}

  @Get()
  async confirm(@Param('code') code: string, @Req() req: Request, @Res() res: Response) {
    const found = await this.kindly(res, () => this.optOuts.standing(code, ip(req)), false);
    if (!found) return;
    if (found.standing !== 'open') return this.outcome(res, found);
    this.pages.render(res, 'online-opt-out.njk', { ...SERVICE, title: 'I do not want to take part', code: found.code });
  }

  @Post()
  async optOut(@Param('code') code: string, @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const oneClick = body?.['List-Unsubscribe'] === 'One-Click';
    const done = await this.kindly(res, () => this.optOuts.optOut(code, ip(req), oneClick ? 'e-mail one-click' : 'opt-out page'), oneClick);
    if (!done) return;
    if (!oneClick) return this.outcome(res, done);
    // A mail provider acting for the patient: a short answer is all it reads.
    const { status, title } = done.standing === 'open' ? OUTCOMES.opted_out : OUTCOMES[done.standing];
    res.status(status).type('text/plain').setHeader('Cache-Control', 'no-store').send(`${title}.\n`);
  }

  private outcome(res: Response, result: OptOutResult) {
    const { status, title, paragraphs } = result.standing === 'open' ? OUTCOMES.opted_out : OUTCOMES[result.standing];
    this.pages.render(res, 'online-opt-out-result.njk', { ...SERVICE, title, paragraphs, confirmed: result.standing === 'opted_out' }, status);
  }

  /** The result, or null after a kind page for a code that opens nothing (never repeating the code). */
  private async kindly(res: Response, work: () => Promise<OptOutResult>, plain: boolean): Promise<OptOutResult | null> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof DomainError) || !['not_found', 'too_many_requests'].includes(error.code)) throw error;
      const tooMany = error.code === 'too_many_requests';
      const status = tooMany ? 429 : 404;
      const title = tooMany ? 'Please wait before trying again' : 'We could not find that access code';
      const paragraphs = tooMany ? [error.message] : [
        'Check the link or the code in your letter or e-mail and try again. The code has 12 letters and numbers in three groups of four.',
        'If you do not want to take part, you can also call the survey helpline on the number in your letter or e-mail, and we will not contact you again.',
      ];
      if (plain) res.status(status).type('text/plain').setHeader('Cache-Control', 'no-store').send(`${title}.\n`);
      else this.pages.render(res, 'online-opt-out-result.njk', { ...SERVICE, title, paragraphs, link: tooMany ? undefined : { href: '/s', text: 'Enter your access code' } }, status);
      return null;
    }
  }
}

const ip = (req: Request) => req.ip ?? 'unknown';
