import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import { allQuestions } from '../questionnaires/load-questionnaire';
import type { Question, Respondent } from '../questionnaires/questionnaire-definition';
import { hasRespondents, PART_HEADINGS, PART_NAMES, questionnaireParts } from '../questionnaires/questionnaire-parts';
import { normaliseAccessCode } from '../responses/responses.service';
import { FormState, NoSuchPartError, OnlineFormService } from '../responses/online-form.service';
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
    if (hasRespondents(state.questionnaire)) {
      // A questionnaire in parts: who is answering decides which part opens.
      const parts = (await this.form.parts(state)).map((p) => ({ ...p, name: PART_NAMES[p.part], href: `/s/${state.code}/p/${p.part}` }));
      return this.pages.render(res, 'online-who.njk', {
        ...SERVICE, ...about(state), title: 'Who is answering?', questionnaireTitle: state.questionnaire.title, code: state.code,
        trustName: state.trustName, parts, helplinePhone: settings.helplinePhone, helplineEmail: settings.helplineEmail,
      });
    }
    this.pages.render(res, 'online-start.njk', {
      ...SERVICE, ...about(state), title: state.definition.title, code: state.code, trustName: state.trustName,
      minutes: minutesFor(allQuestions(state.definition).length), helplinePhone: settings.helplinePhone, helplineEmail: settings.helplineEmail,
      next: state.started ? `/s/${state.code}/q/${state.position}` : `/s/${state.code}/q/1`, started: state.started,
    });
  }

  /** The start of one respondent's part (the child's, the parent's or carer's). */
  @Get(':code/p/:part')
  async startPart(@Param('code') code: string, @Param('part') part: string, @Req() req: Request, @Res() res: Response) {
    const state = await this.opened(code, req, res, part);
    if (!state) return;
    const settings = state.survey.settings;
    this.pages.render(res, 'online-part-start.njk', {
      ...SERVICE, ...about(state), title: PART_HEADINGS[state.part as Respondent], questionnaireTitle: state.questionnaire.title,
      part: state.part, code: state.code, trustName: state.trustName, minutes: minutesFor(allQuestions(state.definition).length),
      helplinePhone: settings.helplinePhone, helplineEmail: settings.helplineEmail, started: state.started,
      next: `${base(state)}/q/${state.started ? state.position : 1}`,
    });
  }

  @Get(':code/q/:number')
  question(@Param('code') code: string, @Param('number') number: string, @Req() req: Request, @Res() res: Response) {
    return this.showAt(code, undefined, number, req, res);
  }

  @Get(':code/p/:part/q/:number')
  partQuestion(@Param('code') code: string, @Param('part') part: string, @Param('number') number: string, @Req() req: Request, @Res() res: Response) {
    return this.showAt(code, part, number, req, res);
  }

  @Post(':code/q/:number')
  answer(@Param('code') code: string, @Param('number') number: string, @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    return this.answerAt(code, undefined, number, body, req, res);
  }

  @Post(':code/p/:part/q/:number')
  partAnswer(
    @Param('code') code: string, @Param('part') part: string, @Param('number') number: string,
    @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response,
  ) {
    return this.answerAt(code, part, number, body, req, res);
  }

  @Get(':code/check')
  check(@Param('code') code: string, @Req() req: Request, @Res() res: Response) {
    return this.checkPage(code, undefined, req, res);
  }

  @Get(':code/p/:part/check')
  partCheck(@Param('code') code: string, @Param('part') part: string, @Req() req: Request, @Res() res: Response) {
    return this.checkPage(code, part, req, res);
  }

  /** Asked before a questionnaire with nothing answered is sent: it would count as a blank return. */
  @Get(':code/nothing-answered')
  nothingAnswered(@Param('code') code: string, @Req() req: Request, @Res() res: Response) {
    return this.nothingAnsweredPage(code, undefined, req, res);
  }

  /** Asked before a part with nothing answered is sent: it would count as not returned. */
  @Get(':code/p/:part/nothing-answered')
  partNothingAnswered(@Param('code') code: string, @Param('part') part: string, @Req() req: Request, @Res() res: Response) {
    return this.nothingAnsweredPage(code, part, req, res);
  }

  @Post(':code/submit')
  submit(@Param('code') code: string, @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    return this.submitAt(code, undefined, body, req, res);
  }

  @Post(':code/p/:part/submit')
  partSubmit(@Param('code') code: string, @Param('part') part: string, @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    return this.submitAt(code, part, body, req, res);
  }

  private async showAt(code: string, part: string | undefined, number: string, req: Request, res: Response) {
    const state = await this.opened(code, req, res, part);
    if (!state) return;
    const found = this.form.onRoute(state, Number(number));
    if ('instead' in found) return this.skipTo(res, state, found.instead);
    this.showQuestion(res, state, found.question, state.answers[found.question.id]);
  }

  private async answerAt(code: string, part: string | undefined, number: string, body: Record<string, unknown>, req: Request, res: Response) {
    const state = await this.opened(code, req, res, part);
    if (!state) return;
    const found = this.form.onRoute(state, Number(number));
    if ('instead' in found) return this.skipTo(res, state, found.instead);
    const q = found.question;
    try {
      const next = await this.form.answer(state, q.number, body.answer);
      res.redirect(303, next ? `${base(state)}/q/${next}` : `${base(state)}/check`);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      // What they entered stays on the page, so they correct it rather than start again.
      this.showQuestion(res, state, q, body.answer, fieldErrors(error.details), 400);
    }
  }

  private async checkPage(code: string, part: string | undefined, req: Request, res: Response) {
    const state = await this.opened(code, req, res, part);
    if (!state) return;
    const rows = this.form.path(state).map((q) => ({ number: q.number, text: q.onlineText ?? q.text, answer: describe(q, state.answers[q.id]) }));
    this.pages.render(res, 'online-check.njk', { ...SERVICE, ...about(state), title: 'Check your answers', code: state.code, base: base(state), rows, width: 'full' });
  }

  private async nothingAnsweredPage(code: string, part: string | undefined, req: Request, res: Response) {
    const state = await this.opened(code, req, res, part);
    if (!state) return;
    if (!this.form.nothingAnswered(state)) return res.redirect(303, `${base(state)}/check`);
    this.pages.render(res, 'online-blank.njk', {
      ...SERVICE, ...about(state), title: 'You have not answered any questions', code: state.code, base: base(state), inParts: state.part !== 'whole',
    });
  }

  private async submitAt(code: string, part: string | undefined, body: Record<string, unknown>, req: Request, res: Response) {
    const state = await this.opened(code, req, res, part);
    if (!state) return;
    const blank = this.form.nothingAnswered(state);
    if (blank && body.confirm !== 'blank') return res.redirect(303, `${base(state)}/nothing-answered`);
    const recorded = await this.form.submit(state);
    if (state.part === 'whole') return this.pages.render(res, 'online-thanks.njk', { ...SERVICE, ...about(state), title: 'Thank you', blank });
    const returned = [...state.returnedParts, ...(recorded.parts ?? [])];
    const others = questionnaireParts(state.questionnaire).filter((p) => p.part !== state.part && !returned.includes(p.part)).map((p) => PART_NAMES[p.part]);
    this.pages.render(res, 'online-part-thanks.njk', {
      ...SERVICE, ...about(state), title: 'Thank you', blank, code: state.code, others, partName: PART_NAMES[state.part],
    });
  }

  /**
   * The form for a code (and part), or a kind page (and null) when it opens nothing: an unknown
   * or used code, a part not in the patient's questionnaire, or one already returned. A
   * questionnaire in parts is answered a part at a time: its whole-questionnaire question pages
   * lead back to the page asking who is answering.
   */
  private async opened(code: string, req: Request, res: Response, part?: string): Promise<FormState | null> {
    try {
      const state = await this.form.open(code, req.ip ?? 'unknown', part);
      if (state.used) {
        this.pages.render(res, 'message.njk', {
          ...SERVICE, ...about(state), title: 'You have already taken part',
          paragraphs: ['Your answers have been received. Thank you for taking part: there is nothing more you need to do.',
            `If you think this is wrong, call the survey helpline free on ${state.survey.settings.helplinePhone}.`],
        }, 409);
        return null;
      }
      if (part === undefined && hasRespondents(state.questionnaire) && req.method === 'GET' && /\/(q\/[^/]+|check|nothing-answered)$/.test(req.path)) {
        res.redirect(303, `/s/${state.code}`);
        return null;
      }
      if (part === undefined && hasRespondents(state.questionnaire) && req.method === 'POST') {
        throw new DomainError('not_found', 'This questionnaire is answered a part at a time: start again from the page asking who is answering');
      }
      if (part !== undefined && state.part !== 'whole' && state.returnedParts.includes(state.part)) {
        this.pages.render(res, 'message.njk', {
          ...SERVICE, ...about(state), title: 'This part has been sent',
          paragraphs: [`The answers for ${PART_NAMES[state.part]} have been received. Thank you: there is nothing more to do for this part.`],
          link: { href: `/s/${state.code}`, text: 'Back to the start' },
        }, 409);
        return null;
      }
      return state;
    } catch (error) {
      if (error instanceof NoSuchPartError) {
        this.pages.render(res, 'message.njk', {
          ...SERVICE, footerSurvey: error.surveyCode, footerTrust: error.trustCode, title: 'There is no such part of the questionnaire',
          paragraphs: [error.parted
            ? 'The address you followed names a part this questionnaire does not have. Your access code is fine: start again from the page asking who is answering.'
            : 'The address you followed names a part, but this questionnaire is answered as a whole. Your access code is fine: start again from the beginning.'],
          link: { href: `/s/${error.accessCode}`, text: error.parted ? 'Choose who is answering' : 'Start the questionnaire' },
        }, 404);
        return null;
      }
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
    res.redirect(303, number ? `${base(state)}/q/${number}` : `${base(state)}/check`);
  }

  private showQuestion(res: Response, state: FormState, q: Question, value: unknown, errors?: ReturnType<typeof fieldErrors>, status = 200) {
    const path = this.form.path(state).map((x) => x.number);
    const before = path.filter((n) => n < q.number);
    const view = onlineQuestion(state.definition, q, value);
    this.pages.render(res, 'online-question.njk', {
      ...SERVICE, ...about(state), title: view.text, q, view, code: state.code, base: base(state), errors,
      partHeading: state.part === 'whole' ? undefined : PART_HEADINGS[state.part],
      total: allQuestions(state.definition).length, back: before.length ? `${base(state)}/q/${before[before.length - 1]}` : null,
    }, status);
  }
}

/** Where the pages of what is being answered live: the whole questionnaire's, or one part's. */
const base = (state: FormState) => (state.part === 'whole' ? `/s/${state.code}` : `/s/${state.code}/p/${state.part}`);

/** The survey and trust the footer's pages (privacy, contact) should speak of. */
const about = (state: FormState) => ({ footerSurvey: state.survey.code, footerTrust: state.trustCode });

function describe(q: Question, value: unknown): string {
  if (value === undefined) return '';
  if (q.type === 'single') return q.options?.find((o) => o.code === value)?.label ?? '';
  if (q.type === 'multiple') return (value as string[]).map((c) => q.options?.find((o) => o.code === c)?.label).filter(Boolean).join('; ');
  return String(value);
}
