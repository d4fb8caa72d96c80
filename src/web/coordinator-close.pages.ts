import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import { validateInput } from '../infra/http/validate-input';
import { RetryFailedService } from '../mailings/retry-failed.service';
import { WavesService } from '../mailings/waves.service';
import { RetentionService } from '../retention/retention.service';
import { parseSurveySettings } from '../surveys/survey-settings';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import { fieldsNamed, formErrors, PauseForm, PurgeForm } from './coordinator-forms';
import { longDate } from '../infra/dates';
import { fieldErrors, Pages } from './pages';

const DAY_MS = 86_400_000;
const stepName = (step: string) => step.replace('_', ' ');

/**
 * Holding and ending fieldwork from the pages: pause a mailing step with a reason
 * (wave:pause), retry its failed work (wave:retry-failed), close the survey (survey:close)
 * and purge it once its retention period has passed (survey:purge), each through the
 * service its command calls. The purge destroys patient data for good, so the coordinator
 * types the survey code to confirm it.
 */
@Controller('coordinator/:survey')
@Roles('coordinator')
export class CoordinatorClosePages {
  constructor(
    private readonly surveys: SurveysService,
    private readonly waves: WavesService,
    private readonly retry: RetryFailedService,
    private readonly retention: RetentionService,
    private readonly pages: Pages,
  ) {}

  @Get('mailings/:step/pause')
  async pausePage(@Param('survey') survey: string, @Param('step') step: string, @Res() res: Response) {
    await this.showPause(res, survey, step, {});
  }

  @Post('mailings/:step/pause')
  @Audited('mailing.pause')
  async pause(@Param('survey') survey: string, @Param('step') step: string, @Body() body: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    try {
      const { reason } = validateInput(PauseForm, { reason: body.reason ?? '' });
      // As wave:pause, with the coordinator's reason for the others to read.
      await this.waves.pause(survey, step, req.principal!.id, reason.trim());
      this.done(res, survey, `${stepName(step)} paused: nothing more is printed or sent until you resume it. Reason given: ${reason.trim()}`);
    } catch (error) {
      await this.showPause(res, survey, step, { errors: formErrors(error, fieldsNamed('reason'), {}, 'reason'), reason: body.reason }, 400);
    }
  }

  @Post('mailings/:step/retry-failed')
  @Audited('mailing.retry')
  async retryFailed(@Param('survey') survey: string, @Param('step') step: string, @Res() res: Response) {
    try {
      // As wave:retry-failed without --ref: only failures known not to have reached the mail server.
      const r = await this.retry.retryFailed(survey, step);
      const left = r.interruptedLeft ? ` ${r.interruptedLeft} interrupted e-mails may have reached the mail server: check them in its log and retry them with wave:retry-failed --ref.` : '';
      this.done(res, survey, `${stepName(step)}: ${r.reset.postal} letters and ${r.reset.email} e-mails set to be tried again.${left}`);
    } catch (error) {
      if (!(error instanceof DomainError) || !['invalid_state', 'not_found', 'validation_failed'].includes(error.code)) throw error;
      this.pages.render(res, 'message.njk', { title: 'Nothing was retried', paragraphs: [error.message], link: { href: `/coordinator?survey=${survey}`, text: 'Back to the survey' } }, 409);
    }
  }

  @Get('close')
  async closePage(@Param('survey') code: string, @Res() res: Response) {
    await this.showClose(res, await this.surveys.get(code));
  }

  @Post('close')
  @Audited('survey.close')
  async close(@Param('survey') code: string, @Req() req: Request, @Res() res: Response) {
    try {
      // As survey:close.
      const r = await this.retention.close(code, req.principal!.id);
      this.done(res, r.survey, `${r.survey} closed on ${longDate(r.closedAt)}: ${r.stepsPaused} mailing ${r.stepsPaused === 1 ? 'step' : 'steps'} paused, `
        + `${r.onePacksWithdrawn} one-off ${r.onePacksWithdrawn === 1 ? 'pack' : 'packs'} withdrawn. Patient data may be purged from ${longDate(r.purgeFrom)}.`);
    } catch (error) {
      await this.showClose(res, await this.surveys.get(code), formErrors(error, () => undefined, {}, 'close'), 409);
    }
  }

  @Get('purge')
  async purgePage(@Param('survey') code: string, @Res() res: Response) {
    await this.showPurge(res, await this.surveys.get(code));
  }

  @Post('purge')
  @Audited('survey.purge')
  async purge(@Param('survey') code: string, @Body() body: Record<string, string>, @Res() res: Response) {
    const survey = await this.surveys.get(code);
    try {
      const { confirm } = validateInput(PurgeForm, { confirm: body.confirm ?? '' });
      if (confirm.trim() !== survey.code) {
        throw new DomainError('validation_failed', 'The survey was not purged', [
          { where: 'confirm', message: `Type the survey code, ${survey.code}, exactly as shown to confirm the purge` }]);
      }
      // As survey:purge.
      const r = await this.retention.purge(survey.code);
      this.done(res, r.survey, `${r.survey} purged: ${r.patients} patients' identifiable data destroyed, ${r.deathsRemoved} deceased-list entries and `
        + `${r.eventsCleared} contact notes removed, ${r.filesDeleted} files deleted. Outcomes, answers and reports remain.`);
    } catch (error) {
      const errors = formErrors(error, fieldsNamed('confirm'), {}, 'confirm');
      // Read again: a purge that could not finish rewriting the tables has still removed the data, and the page must say so.
      await this.showPurge(res, await this.surveys.get(survey.code), errors, body.confirm,
        error instanceof DomainError && ['invalid_state', 'conflict'].includes(error.code) ? 409 : 400);
    }
  }

  private async showPause(res: Response, survey: string, step: string, context: { errors?: ReturnType<typeof fieldErrors>; reason?: string }, status = 200) {
    // The status refuses a step the survey's plan does not have.
    const progress = (await this.waves.status(survey, step)).steps[0];
    this.pages.render(res, 'coordinator-pause.njk', { title: `Pause the ${stepName(step)} mailing`, survey, step, progress, ...context }, status);
  }

  private async showClose(res: Response, survey: Survey, errors?: ReturnType<typeof fieldErrors>, status = 200) {
    const days = parseSurveySettings(survey.settings).retentionDaysAfterClose;
    this.pages.render(res, 'coordinator-close.njk', {
      title: `Close ${survey.code}`, survey, errors, days,
      closedOn: survey.closedAt ? longDate(survey.closedAt) : null,
      purgeFrom: longDate(new Date((survey.closedAt ?? new Date()).getTime() + days * DAY_MS)),
    }, status);
  }

  private async showPurge(res: Response, survey: Survey, errors?: ReturnType<typeof fieldErrors>, confirm?: string, status = 200) {
    const days = parseSurveySettings(survey.settings).retentionDaysAfterClose;
    const purgeFrom = survey.closedAt ? new Date(survey.closedAt.getTime() + days * DAY_MS) : null;
    this.pages.render(res, 'coordinator-purge.njk', {
      title: `Purge ${survey.code}`, survey, errors, confirm, days,
      closedOn: survey.closedAt ? longDate(survey.closedAt) : null, purgedOn: survey.purgedAt ? longDate(survey.purgedAt) : null,
      purgeFrom: purgeFrom ? longDate(purgeFrom) : null, due: purgeFrom !== null && purgeFrom <= new Date(),
    }, status);
  }

  private done(res: Response, survey: string, notice: string) {
    res.redirect(303, `/coordinator?survey=${encodeURIComponent(survey)}&done=${encodeURIComponent(notice)}`);
  }
}
