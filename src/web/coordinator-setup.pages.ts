import { Body, Controller, Get, Param, Post, Query, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import type {} from 'multer';
import { unlink } from 'node:fs/promises';
import { AreaLookupService } from '../areas/area-lookup.service';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { DeathsService } from '../deaths/deaths.service';
import { DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { validateInput } from '../infra/http/validate-input';
import { SampleFilesService } from '../samples/sample-files.service';
import { CreateSurveyDto } from '../surveys/dto/create-survey.dto';
import { FieldworkStartDto } from '../surveys/dto/fieldwork-start.dto';
import { KIND_NAMES, SURVEY_KINDS, SurveyKind } from '../surveys/survey-kinds';
import { parseSurveySettings } from '../surveys/survey-settings';
import { SurveysService } from '../surveys/surveys.service';
import { AddTrustDto, SetTrustPtcDto } from '../trusts/dto/add-trust.dto';
import { TrustsService } from '../trusts/trusts.service';
import {
  dateFromParts, defaultSettingValues, fieldsNamed, formErrors, NewSurveyForm, SETTING_FIELDS, SETTINGS_SENTENCES, settingsFieldOf, settingsFromForm,
} from './coordinator-forms';
import { longDate } from '../infra/dates';
import { fieldErrors, Pages } from './pages';

const TRUST_SENTENCES: Record<string, string> = {
  code: 'Enter the trust’s ODS code: 3 to 5 capitals or digits, for example RXX',
  name: 'Enter the trust’s name, at most 200 characters',
  icb: 'Enter the ICB code as Q and two capitals or digits, for example QXX, or leave it empty',
};

/**
 * Setting a survey up from the pages: create it, add trusts, import the area lookup and a
 * deceased-check trace, lock the sample. Each form calls the service its CLI command calls
 * (survey:create, trust:add, areas:import, deaths:import, sample:lock), with the same checks.
 */
@Controller('coordinator')
@Roles('coordinator')
export class CoordinatorSetupPages {
  constructor(
    private readonly surveys: SurveysService,
    private readonly trusts: TrustsService,
    private readonly areas: AreaLookupService,
    private readonly deaths: DeathsService,
    private readonly samples: SampleFilesService,
    private readonly pages: Pages,
  ) {}

  /** The form filled with the defaults of the kind asked for (?kind=under16), the adult survey's otherwise. */
  @Get('surveys/new')
  newSurvey(@Query('kind') kind: unknown, @Res() res: Response) {
    const shown = kindOf(kind);
    this.showNewSurvey(res, { ...defaultSettingValues(shown), kind: shown, shownKind: shown });
  }

  @Post('surveys')
  @Audited('survey.create')
  async createSurvey(@Body() body: Record<string, string>, @Res() res: Response) {
    try {
      // Every problem at once: the form's own fields, the dates, and the settings checked by the function the service uses too.
      const problems: ErrorDetail[] = [];
      const form = refusals(problems, () => validateInput(NewSurveyForm, body)) ?? new NewSurveyForm();
      const periodStart = dateFromParts(body.startDay, body.startMonth, body.startYear);
      const periodEnd = dateFromParts(body.endDay, body.endMonth, body.endYear);
      if (!periodStart) problems.push({ where: 'startDay', message: 'Enter the first discharge date of the sample period as a real date, for example 1 4 2026' });
      if (!periodEnd) problems.push({ where: 'endDay', message: 'Enter the last discharge date of the sample period as a real date, for example 30 6 2026' });
      const kind = kindOf(form.kind);
      const settings = settingsFromForm(body, kindOf(form.shownKind));
      refusals(problems, () => parseSurveySettings(settings, kind));
      if (problems.length) throw new DomainError('validation_failed', 'The survey was not created', problems);
      // As survey:create: the same DTO, then the same service call.
      const input = validateInput(CreateSurveyDto, { code: form.code, name: form.name?.trim() || undefined, periodStart, periodEnd, kind, settings });
      const survey = await this.surveys.create(input);
      res.redirect(303, `/coordinator?survey=${encodeURIComponent(survey.code)}&done=${encodeURIComponent(
        `${survey.kind === 'adult' ? 'Survey' : `${KIND_NAMES[survey.kind]} survey`} ${survey.code} created for discharges from ${longDate(survey.periodStart)} to ${longDate(survey.periodEnd)}. Next, add its trusts and ask them to upload their sample files.`)}`);
      return { survey: survey.code };
    } catch (error) {
      const errors = formErrors(error, surveyFieldOf, SETTINGS_SENTENCES, 'code');
      this.showNewSurvey(res, body, errors, 400);
      return undefined;
    }
  }

  @Get('trusts')
  async trustsPage(@Query('done') done: string | undefined, @Query('survey') survey: string | undefined, @Res() res: Response) {
    await this.showTrusts(res, { notice: done, survey }, {});
  }

  @Post('trusts')
  @Audited('trust.add')
  async addTrust(@Body() body: Record<string, string>, @Query('survey') survey: string | undefined, @Res() res: Response) {
    try {
      // As trust:add: the same DTO and the same service call.
      const input = validateInput(AddTrustDto, {
        code: body.code?.trim().toUpperCase(), name: body.name?.trim(), icb: body.icb?.trim().toUpperCase() || undefined, ptc: body.ptc === 'true' || undefined,
      });
      const trust = await this.trusts.add(input);
      res.redirect(303, `/coordinator/trusts?${survey ? `survey=${encodeURIComponent(survey)}&` : ''}done=${encodeURIComponent(
        `Trust ${trust.code} ${trust.name} added${trust.ptc ? ' as a Principal Treatment Centre' : ''}`)}`);
    } catch (error) {
      const errors = formErrors(error, fieldsNamed('code', 'name', 'icb'), TRUST_SENTENCES, 'code');
      await this.showTrusts(res, { errors, survey }, body, 400);
    }
  }

  @Post('trusts/:code/ptc')
  @Audited('trust.ptc')
  async setPtc(@Param('code') code: string, @Body() body: Record<string, string>, @Query('survey') survey: string | undefined, @Res() res: Response) {
    try {
      // As trust:ptc: the same DTO and the same service call.
      const input = validateInput(SetTrustPtcDto, { ptc: body.ptc === 'true' ? true : body.ptc === 'false' ? false : body.ptc });
      const trust = await this.trusts.setPtc(code, input.ptc);
      res.redirect(303, `/coordinator/trusts?${survey ? `survey=${encodeURIComponent(survey)}&` : ''}done=${encodeURIComponent(
        `Trust ${trust.code} ${trust.name} is ${trust.ptc ? 'now' : 'no longer'} a Principal Treatment Centre`)}`);
    } catch (error) {
      const errors = formErrors(error, () => undefined, {}, 'code');
      await this.showTrusts(res, { errors, survey }, {}, error instanceof DomainError && error.code === 'not_found' ? 404 : 400);
    }
  }

  @Get('areas')
  areasPage(@Query('done') done: string | undefined, @Query('survey') survey: string | undefined, @Res() res: Response) {
    this.pages.render(res, 'coordinator-areas.njk', { title: 'Import the area lookup', notice: done, survey });
  }

  @Post('areas')
  @Audited('areas.import')
  @UseInterceptors(FileInterceptor('file'))
  async importAreas(@UploadedFile() file: Express.Multer.File | undefined, @Query('survey') survey: string | undefined, @Req() req: Request, @Res() res: Response) {
    try {
      if (!file) throw new DomainError('validation_failed', 'Choose the area lookup file to upload (CSV or .xlsx)');
      // As areas:import.
      const s = await this.areas.import(file.path, file.originalname, req.principal!.id);
      const derived = s.surveys.map((d) => `${d.survey}: ${d.patients} patients, ICB known for ${d.icbKnown}`).join('; ');
      res.redirect(303, `/coordinator/areas?${survey ? `survey=${encodeURIComponent(survey)}&` : ''}done=${encodeURIComponent(
        `Area lookup imported: ${s.rows} postcodes, ${s.icbs} ICBs, ${s.alliances} Cancer Alliances.${derived ? ` Derived again for ${derived}.` : ''}`)}`);
    } catch (error) {
      const errors = formErrors(error, () => 'file', {}, 'file');
      this.pages.render(res, 'coordinator-areas.njk', { title: 'Import the area lookup', errors, survey }, 400);
    } finally {
      if (file) await unlink(file.path).catch(() => undefined);
    }
  }

  @Get(':survey/deaths')
  async deathsPage(@Param('survey') code: string, @Query('done') done: string | undefined, @Res() res: Response) {
    const survey = await this.surveys.get(code);
    this.pages.render(res, 'coordinator-deaths.njk', { title: 'Import a deceased-check trace', survey, notice: done, maxAge: parseSurveySettings(survey.settings).deceasedCheckMaxAgeDays });
  }

  @Post(':survey/deaths')
  @Audited('deaths.import')
  @UseInterceptors(FileInterceptor('file'))
  async importDeaths(@Param('survey') code: string, @UploadedFile() file: Express.Multer.File | undefined, @Req() req: Request, @Res() res: Response) {
    const survey = await this.surveys.get(code);
    try {
      if (!file) throw new DomainError('validation_failed', 'Choose the trace response file to upload (CSV or .xlsx)');
      // As deaths:import.
      const s = await this.deaths.import(survey.code, file.path, file.originalname, req.principal!.id);
      res.redirect(303, `/coordinator/${encodeURIComponent(survey.code)}/deaths?done=${encodeURIComponent(
        `Deceased check of ${longDate(s.checkedAt)} imported: ${s.deaths} deaths on the trace (${s.newDeaths} new), ${s.matchedPatients} of them sampled patients of ${s.survey}. They will not be mailed.`)}`);
    } catch (error) {
      const errors = formErrors(error, () => 'file', {}, 'file');
      this.pages.render(res, 'coordinator-deaths.njk', { title: 'Import a deceased-check trace', survey, errors, maxAge: parseSurveySettings(survey.settings).deceasedCheckMaxAgeDays }, 400);
    } finally {
      if (file) await unlink(file.path).catch(() => undefined);
    }
  }

  @Get(':survey/lock')
  async lockPage(@Param('survey') code: string, @Res() res: Response) {
    await this.showLock(res, code);
  }

  @Post(':survey/lock')
  @Audited('sample.lock')
  async lock(@Param('survey') code: string, @Res() res: Response) {
    try {
      // As sample:lock.
      const locked = await this.samples.lock(code);
      res.redirect(303, `/coordinator?survey=${encodeURIComponent(locked.survey)}&done=${encodeURIComponent(
        `Sample of ${locked.survey} locked: ${locked.patients} patients from ${locked.trusts} ${locked.trusts === 1 ? 'trust' : 'trusts'}. Trusts can no longer upload or replace files.`)}`);
    } catch (error) {
      await this.showLock(res, code, formErrors(error, () => undefined, {}, 'lock'), 409);
    }
  }

  @Get(':survey/fieldwork-start')
  async fieldworkStartPage(@Param('survey') code: string, @Res() res: Response) {
    const survey = await this.surveys.get(code);
    const [year, month, day] = (survey.settings.fieldworkStart ?? '').split('-');
    await this.showFieldworkStart(res, code, { startDay: day ? String(Number(day)) : '', startMonth: month ? String(Number(month)) : '', startYear: year ?? '' });
  }

  @Post(':survey/fieldwork-start')
  @Audited('survey.fieldwork-start')
  async setFieldworkStart(@Param('survey') code: string, @Body() body: Record<string, unknown>, @Res() res: Response) {
    // A crafted post may send objects for the boxes: they are no date, refused like any other.
    const values = Object.fromEntries(['startDay', 'startMonth', 'startYear'].map((k) => [k, typeof body[k] === 'string' ? (body[k] as string).trim() : '']));
    try {
      const date = dateFromParts(values.startDay, values.startMonth, values.startYear);
      if (!date) throw new DomainError('validation_failed', 'The date is not a real date', [{ where: 'startDay', message: FIELDWORK_START_WRONG }]);
      // As survey:fieldwork-start: refused once the first mailing has gone.
      const survey = await this.surveys.setFieldworkStart(code, validateInput(FieldworkStartDto, { date }).date);
      res.redirect(303, `/coordinator?survey=${encodeURIComponent(survey.code)}&done=${encodeURIComponent(
        `Fieldwork of ${survey.code} starts on ${longDate(date)}: each patient's questionnaire will be chosen by their age on that day when the initial mailing is launched.`)}`);
    } catch (error) {
      // Refused because the first mailing has gone: the page shows no form then, so the message points at the notice saying so.
      const refused = error instanceof DomainError && error.code === 'invalid_state';
      const errors = formErrors(error, fieldsNamed('startDay'), {}, refused ? 'fieldwork-started' : 'startDay');
      await this.showFieldworkStart(res, code, values, errors, refused ? 409 : 400);
    }
  }

  private async showFieldworkStart(res: Response, code: string, values: Record<string, string>, errors?: ReturnType<typeof fieldErrors>, status = 200) {
    const survey = await this.surveys.get(code);
    const settings = parseSurveySettings(survey.settings);
    this.pages.render(res, 'coordinator-fieldwork-start.njk', {
      title: 'Fieldwork start date', survey, values, errors,
      // The date can be set until the initial mailing is launched (which chooses questionnaires by age on it).
      open: survey.status === 'setup' || survey.status === 'sampling',
      current: settings.fieldworkStart ? longDate(settings.fieldworkStart) : null,
      bands: (settings.questionnaireByAge ?? []).map((b) => `${b.fromAge} to ${b.toAge}`),
    }, status);
  }

  private showNewSurvey(res: Response, values: Record<string, string>, errors?: ReturnType<typeof fieldErrors>, status = 200) {
    const shown = kindOf(values.shownKind);
    const defaults = defaultSettingValues(shown);
    this.pages.render(res, 'coordinator-survey-new.njk', {
      title: 'Create a survey', values: { ...values, shownKind: shown }, errors, settings: SETTING_FIELDS.map((f) => ({ ...f, default: defaults[f.name] })),
      kinds: SURVEY_KINDS.map((k) => ({ value: k, text: KIND_NAMES[k], hint: KIND_HINTS[k] })), shownName: KIND_NAMES[shown],
      other: SURVEY_KINDS.filter((k) => k !== shown).map((k) => ({ value: k, text: KIND_NAMES[k] })),
    }, status);
  }

  private async showTrusts(res: Response, context: Record<string, unknown>, values: Record<string, string>, status = 200) {
    const [list, icbNames] = await Promise.all([this.trusts.list(), this.areas.icbNames()]);
    // An ICB by its name from the area lookup, with its code; by its code alone until a lookup names it.
    const trusts = list.map((t) => ({ ...t, icb: t.icbCode ? (icbNames.has(t.icbCode) ? `${icbNames.get(t.icbCode)} (${t.icbCode})` : t.icbCode) : null }));
    this.pages.render(res, 'coordinator-trusts.njk', { title: 'Trusts', trusts, values, ...context }, status);
  }

  private async showLock(res: Response, code: string, errors?: ReturnType<typeof fieldErrors>, status = 200) {
    const [survey, sample] = await Promise.all([this.surveys.get(code), this.samples.status(code)]);
    this.pages.render(res, 'coordinator-lock.njk', {
      title: 'Lock the sample', survey, sample, errors, width: 'full',
      lockedOn: sample.lockedAt ? longDate(sample.lockedAt) : null,
      patients: sample.trusts.reduce((n, t) => n + (t.sampled ?? 0), 0),
      missing: sample.trusts.filter((t) => !t.currentFileId).map((t) => t.trust),
    }, status);
  }
}

const FIELDWORK_START_WRONG = 'Enter the day fieldwork starts as a real date, for example 1 9 2026';

const KIND_HINTS: Record<SurveyKind, string> = {
  adult: 'Patients aged 16 and over at any trust.',
  under16: 'Children aged 0 to 15 at Principal Treatment Centres; letters to the parent or carer; a questionnaire for each age band.',
};

/** A kind from the form or the address; anything else (or nothing) is the adult survey. */
const kindOf = (kind: unknown): SurveyKind => ((SURVEY_KINDS as readonly unknown[]).includes(kind) ? kind as SurveyKind : 'adult');

/** Runs a check, adding its field problems to the list instead of stopping at the first refusal. */
function refusals<T>(problems: ErrorDetail[], check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
    problems.push(...(error.details.length ? error.details : [{ message: error.message }]));
    return undefined;
  }
}

/** The new-survey form's field for a problem: a date's day field for any part of it, a setting's own field. */
function surveyFieldOf(where: string | undefined): string | undefined {
  if (!where) return undefined;
  const date = /^(start|end)(Day|Month|Year)$/.exec(where) ?? /^period(Start|End)$/.exec(where);
  if (date) return `${date[1].toLowerCase()}Day`;
  if (where === 'code' || where === 'name' || where === 'kind') return where;
  return settingsFieldOf(where) ?? SETTING_FIELDS.find((f) => f.name === where)?.name;
}
