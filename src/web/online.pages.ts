import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import { allQuestions } from '../questionnaires/load-questionnaire';
import type { Question } from '../questionnaires/questionnaire-definition';
import { normaliseAccessCode } from '../responses/responses.service';
import { FormState, OnlineFormService } from '../responses/online-form.service';
import { onlineQuestion } from './online-question-view';
import { fieldErrors, Pages } from './pages';

const SERVICE = { serviceName: 'Cancer Patient Experience Survey' };

/** About 20 seconds a question, to the nearest 5 minutes: what the start page promises. */
const minutesFor = (questions: number) => Math.max(5, Math.round((questions / 3) / 5) * 5);

/**
 * The patient's questionnaire at /s/<access code> (the address and QR code on the letter): a
 * start page, then one question per page so routing is exact without any script. Unknown,
 * used and closed codes get a plain, kind page; guessing is slowed by the form service.
 */
@Controller('s')
@Public()
export class OnlinePages {
  constructor(private readonly form: OnlineFormService, private readonly pages: Pages) {}

  @Get()
  enter(@Res() res: Response) {
    this.pages.render(res, 'online-code.njk', { ...SERVICE, title: 'Enter your access code' });
  }

  @Post()
  async entered(@Body() body: Record<string, string>, @Res() res: Response) {
    const code = normaliseAccessCode(body.code ?? '');
    if (!code) {
      return this.pages.render(res, 'online-code.njk', {
        ...SERVICE, title: 'Enter your access code', code: body.code,
        errors: fieldErrors([{ where: 'code', message: 'Enter the 12-character access code from your letter, for example K7MR-2XQP-9HTA' }]),
      }, 400);
    }
    res.redirect(303, `/s/${code}`);
  }

  @Get(':code')
  async start(@Param('code') code: string, @Req() req: Request, @Res() res: Response) {
    const state = await this.opened(code, req, res);
    if (!state) return;
    const settings = state.survey.settings;
    this.pages.render(res, 'online-start.njk', {
      ...SERVICE, ...about(state), title: state.definition.title, code: state.code, trustName: state.trustName,
      minutes: minutesFor(allQuestions(state.definition).length), helplinePhone: settings.helplinePhone, helplineEmail: settings.helplineEmail,
      next: state.started ? `/s/${state.code}/q/${state.position}` : `/s/${state.code}/q/1`, started: state.started,
    });
  }

  @Get(':code/q/:number')
  async question(@Param('code') code: string, @Param('number') number: string, @Req() req: Request, @Res() res: Response) {
    const state = await this.opened(code, req, res);
    if (!state) return;
    const found = this.form.onRoute(state, Number(number));
    if ('instead' in found) return this.skipTo(res, state, found.instead);
    this.showQuestion(res, state, found.question, state.answers[found.question.id]);
  }

  @Post(':code/q/:number')
  async answer(@Param('code') code: string, @Param('number') number: string, @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const state = await this.opened(code, req, res);
    if (!state) return;
    const found = this.form.onRoute(state, Number(number));
    if ('instead' in found) return this.skipTo(res, state, found.instead);
    const q = found.question;
    try {
      const next = await this.form.answer(state, q.number, body.answer);
      res.redirect(303, next ? `/s/${state.code}/q/${next}` : `/s/${state.code}/check`);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      // What they entered stays on the page, so they correct it rather than start again.
      this.showQuestion(res, state, q, body.answer, fieldErrors(error.details), 400);
    }
  }

  @Get(':code/check')
  async check(@Param('code') code: string, @Req() req: Request, @Res() res: Response) {
    const state = await this.opened(code, req, res);
    if (!state) return;
    const rows = this.form.path(state).map((q) => ({ number: q.number, text: q.onlineText ?? q.text, answer: describe(q, state.answers[q.id]) }));
    this.pages.render(res, 'online-check.njk', { ...SERVICE, ...about(state), title: 'Check your answers', code: state.code, rows, width: 'full' });
  }

  /** Asked before a questionnaire with nothing answered is sent: it would count as a blank return. */
  @Get(':code/nothing-answered')
  async nothingAnswered(@Param('code') code: string, @Req() req: Request, @Res() res: Response) {
    const state = await this.opened(code, req, res);
    if (!state) return;
    if (!this.form.nothingAnswered(state)) return res.redirect(303, `/s/${state.code}/check`);
    this.pages.render(res, 'online-blank.njk', { ...SERVICE, ...about(state), title: 'You have not answered any questions', code: state.code });
  }

  @Post(':code/submit')
  async submit(@Param('code') code: string, @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    const state = await this.opened(code, req, res);
    if (!state) return;
    const blank = this.form.nothingAnswered(state);
    if (blank && body.confirm !== 'blank') return res.redirect(303, `/s/${state.code}/nothing-answered`);
    await this.form.submit(state);
    this.pages.render(res, 'online-thanks.njk', { ...SERVICE, ...about(state), title: 'Thank you', blank });
  }

  /** The form for a code, or a kind page (and null) when it opens nothing. */
  private async opened(code: string, req: Request, res: Response): Promise<FormState | null> {
    try {
      const state = await this.form.open(code, req.ip ?? 'unknown');
      if (state.used) {
        this.pages.render(res, 'message.njk', {
          ...SERVICE, ...about(state), title: 'You have already taken part',
          paragraphs: ['Your answers have been received. Thank you for taking part: there is nothing more you need to do.',
            `If you think this is wrong, call the survey helpline free on ${state.survey.settings.helplinePhone}.`],
        }, 409);
        return null;
      }
      return state;
    } catch (error) {
      if (!(error instanceof DomainError) || !['not_found', 'too_many_requests', 'invalid_state'].includes(error.code)) throw error;
      const tooMany = error.code === 'too_many_requests';
      this.pages.render(res, 'message.njk', {
        ...SERVICE, title: tooMany ? 'Please wait before trying again' : 'We could not find that access code',
        paragraphs: tooMany ? [error.message] : [
          'Check the code on your letter and try again. It has 12 letters and numbers in three groups of four; it never uses the letters O, I, L or S.',
          'If this survey has finished, the code no longer works. If you need help, call the survey helpline on the number in your letter.',
        ],
        link: tooMany ? undefined : { href: '/s', text: 'Enter your access code again' },
      }, tooMany ? 429 : 404);
      return null;
    }
  }

  private skipTo(res: Response, state: FormState, number: number | null) {
    res.redirect(303, number ? `/s/${state.code}/q/${number}` : `/s/${state.code}/check`);
  }

  private showQuestion(res: Response, state: FormState, q: Question, value: unknown, errors?: ReturnType<typeof fieldErrors>, status = 200) {
    const path = this.form.path(state).map((x) => x.number);
    const before = path.filter((n) => n < q.number);
    const view = onlineQuestion(state.definition, q, value);
    this.pages.render(res, 'online-question.njk', {
      ...SERVICE, ...about(state), title: view.text, q, view, code: state.code, errors,
      total: allQuestions(state.definition).length, back: before.length ? `/s/${state.code}/q/${before[before.length - 1]}` : null,
    }, status);
  }
}

/** The survey and trust the footer's pages (privacy, contact) should speak of. */
const about = (state: FormState) => ({ footerSurvey: state.survey.code, footerTrust: state.trustCode });

function describe(q: Question, value: unknown): string {
  if (value === undefined) return '';
  if (q.type === 'single') return q.options?.find((o) => o.code === value)?.label ?? '';
  if (q.type === 'multiple') return (value as string[]).map((c) => q.options?.find((o) => o.code === c)?.label).filter(Boolean).join('; ');
  return String(value);
}
