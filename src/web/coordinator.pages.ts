import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditService } from '../audit/audit.service';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import { LaunchPreview, LaunchSummary, SMS_OFF, WavesService } from '../mailings/waves.service';
import { ReportsService } from '../reports/reports.service';
import { GROUPING_DEFINITIONS, GROUPINGS } from '../reports/response-rates-by-group';
import { SampleFilesService } from '../samples/sample-files.service';
import { mailingPlanOf } from '../surveys/mailing-plan';
import { parseSurveySettings } from '../surveys/survey-settings';
import { SurveysService } from '../surveys/surveys.service';
import { longDate, longDateTime } from '../infra/dates';
import { Pages } from './pages';
import { pageSurvey } from './surveys';

/** Coordinators' pages: a survey at a glance, launching and holding mailing steps, reports, the audit log. */
@Controller('coordinator')
@Roles('coordinator')
export class CoordinatorPages {
  constructor(
    private readonly surveys: SurveysService,
    private readonly samples: SampleFilesService,
    private readonly waves: WavesService,
    private readonly reports: ReportsService,
    private readonly audit: AuditService,
    private readonly pages: Pages,
  ) {}

  @Get()
  async dashboard(@Query('survey') code: string | undefined, @Query('done') done: string | undefined, @Res() res: Response) {
    // Before the first survey there is nothing to show but the way to create one.
    if (!code && !(await this.surveys.list()).length) return res.redirect(303, '/coordinator/surveys/new');
    const { survey, surveys: all } = await pageSurvey(this.surveys, code);
    const [sample, progress] = await Promise.all([this.samples.status(survey.code), this.waves.status(survey.code)]);
    const now = new Date().toISOString();
    this.pages.render(res, 'coordinator.njk', {
      title: survey.code, survey, surveys: all, sample, width: 'full', notice: done, lockedOn: sample.lockedAt ? longDate(sample.lockedAt) : null,
      steps: mailingPlanOf(parseSurveySettings(survey.settings)).map(({ name: step }) => {
        const p = progress.steps.find((s) => s.step === step);
        // A launched step is "scheduled" until its time comes, not yet going out.
        const state = !p ? null : p.paused ? 'paused' : p.scheduledFor > now ? `scheduled for ${longDate(p.scheduledFor)}` : 'launched';
        return { step, progress: p, state };
      }),
    });
  }

  /** The confirmation: how many will be mailed and how many are suppressed, before anything is sent. */
  @Get(':survey/mailings/:step/launch')
  async confirmLaunch(@Param('survey') survey: string, @Param('step') step: string, @Res() res: Response) {
    const preview = await this.waves.preview(survey, step);
    if (preview.launched) return res.redirect(303, `/coordinator?survey=${survey}`);
    const when = preview.scheduledFor && preview.scheduledFor > new Date(Date.now() + 60_000).toISOString() ? longDate(preview.scheduledFor) : null;
    const { plan } = await this.waves.planned(survey, step);
    this.pages.render(res, 'coordinator-launch.njk', {
      title: `Launch ${step}`, survey, step, p: preview, when, ready: preview.preconditions.every((c) => c.met),
      heldBack: heldBackShown(preview), action: actionWords(preview), smsOff: SMS_OFF, first: plan[0].name,
    });
  }

  @Post(':survey/mailings/:step/launch')
  @Audited('mailing.launch')
  async launch(@Param('survey') survey: string, @Param('step') step: string, @Body() body: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    try {
      // A reminder goes at the survey's schedule; one already due goes now. The launch must
      // plan exactly what the confirmation showed, or it launches nothing.
      const expect = Object.fromEntries((['postal', 'email', 'sms'] as const)
        .filter((c) => body[c] !== undefined && Number.isInteger(Number(body[c])) && body[c] !== '').map((c) => [c, Number(body[c])]));
      const r = await this.waves.launch(survey, step, req.principal!.id, Object.keys(expect).length ? { expect } : {});
      const held = Math.max(...Object.values(r.heldBack).map((reasons) => Object.values(reasons).reduce((n, k) => n + k, 0)));
      const when = new Date(r.scheduledFor) > new Date() ? `scheduled for ${longDate(r.scheduledFor)}` : 'going out now';
      this.done(res, survey, r.alreadyLaunched ? `${step.replace('_', ' ')} was already launched`
        : `${step.replace('_', ' ')} ${when}: ${plannedWords(r)} planned; ${held} ${held === 1 ? 'patient' : 'patients'} held back${r.smsOff ? `. ${SMS_OFF}` : ''}`);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'invalid_state') throw error;
      this.pages.render(res, 'message.njk', { title: 'The mailing was not launched', paragraphs: [error.message], link: { href: `/coordinator?survey=${survey}`, text: 'Back to the survey' } }, 409);
    }
  }

  @Post(':survey/mailings/:step/resume')
  @Audited('mailing.resume')
  async resume(@Param('survey') survey: string, @Param('step') step: string, @Res() res: Response) {
    try {
      await this.waves.resume(survey, step);
      this.done(res, survey, `${step.replace('_', ' ')} resumed`);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'invalid_state') throw error;
      this.pages.render(res, 'message.njk', { title: 'The mailing was not resumed', paragraphs: [error.message], link: { href: `/coordinator?survey=${survey}`, text: 'Back to the survey' } }, 409);
    }
  }

  @Get(':survey/reports')
  @Audited('report.response-rates')
  async reportsPage(@Param('survey') survey: string, @Query('by') by: unknown, @Req() req: Request, @Res() res: Response) {
    // An unknown grouping (a hand-edited address) shows the page without a group table, not an error page.
    const grouping = typeof by === 'string' && (GROUPINGS as readonly string[]).includes(by) ? by : null;
    const [r, overTime, grouped] = await Promise.all([
      this.reports.responseRates(survey, req.principal!), this.reports.responsesOverTime(survey, req.principal!),
      grouping ? this.reports.responseRatesByGroup(survey, grouping, req.principal!) : null]);
    this.pages.render(res, 'coordinator-reports.njk', {
      title: 'Response rates', survey, rows: [...r.trusts, ...r.icbs, r.national], width: 'full', mailed: overTime.firstMailing !== null,
      groupings: GROUPINGS.map((g) => ({ value: g, label: GROUPING_DEFINITIONS[g].label, selected: g === grouping })), grouped,
    });
  }

  @Get('audit')
  async auditLog(@Query() q: Record<string, string>, @Res() res: Response) {
    const { entries } = await this.audit.list({ survey: q.survey || undefined, reference: q.reference || undefined, actor: q.actor || undefined, action: q.action || undefined });
    this.pages.render(res, 'coordinator-audit.njk', { title: 'Audit log', q, width: 'full', entries: entries.map((e) => ({ ...e, when: longDateTime(e.at) })) });
  }

  private done(res: Response, survey: string, notice: string) {
    res.redirect(303, `/coordinator?survey=${survey}&done=${encodeURIComponent(notice)}`);
  }
}

/** "2 letters and 0 e-mails", with texts named only for a step that sends them. */
function plannedWords(r: Pick<LaunchSummary, 'added' | 'ledger'>): string {
  const parts = [`${r.added.postal} letters`, `${r.added.email} e-mails`];
  if (r.ledger.sms) parts.push(`${r.added.sms} texts`);
  return parts.length > 2 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts.join(' and ');
}

/** The button's words: what the launch will do on each of the step's channels. */
function actionWords(p: LaunchPreview): string {
  const parts = [
    ...(p.channels.includes('postal') || !p.channels.length ? [`post ${p.mail.postal} letters`] : []),
    ...(p.channels.includes('email') ? [`send ${p.mail.email} e-mails`] : []),
    ...(p.channels.includes('sms') && !p.smsOff ? [`send ${p.mail.sms} texts`] : []),
  ];
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0] ?? 'nothing to send';
}

/** Held back on the step's widest channel: post if it has post, else e-mail, else texts. */
function heldBackShown(p: LaunchPreview): Record<string, number> {
  const channel = (['postal', 'email', 'sms'] as const).find((c) => p.channels.includes(c)) ?? 'postal';
  return p.heldBack[channel];
}
