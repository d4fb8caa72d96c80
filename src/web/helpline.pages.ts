import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Roles } from '../auth/roles';
import { Audited } from '../audit/audited';
import { CONTACT_TYPES, ContactType, FindPatientDto, LogContactDto } from '../helpline/dto/helpline.dto';
import { HelplineService } from '../helpline/helpline.service';
import { DomainError } from '../infra/errors/domain-error';
import { validateInput } from '../infra/http/validate-input';
import { SurveysService } from '../surveys/surveys.service';
import { dateParts, parseDateParts } from './date-input';
import { longDate, longDateTime } from '../infra/dates';
import { fieldErrors, Pages } from './pages';
import { pageSurvey } from './surveys';

/** Notify's receipt for a text, as the helpline says it to a caller. */
const TEXT_RECEIPTS: Record<string, string> = {
  delivered: 'Delivered to the phone',
  'permanent-failure': 'The number does not work: no more texts go to it',
  'temporary-failure': 'Not delivered yet: the phone may be off or out of signal',
  'technical-failure': 'Not delivered: a fault at the phone network',
};

interface Field { name: string; label: string; hint?: string; multiline?: boolean; inputType?: string; width?: string; options?: { value: string; text: string }[] }

/** What each contact asks for, in the order a call goes. */
const FORMS: Record<ContactType, { label: string; title: string; submit: string; fields: Field[] }> = {
  opt_out: { label: 'Opt out', title: 'Opt out of the survey', submit: 'Record the opt-out', fields: [
    { name: 'reason', label: 'Reason given (optional)', multiline: true }, { name: 'caller', label: 'Who called', hint: 'For example, the patient, their daughter', width: 'nhsuk-input--width-20' }] },
  deceased: { label: 'Report a death', title: 'Report that the patient has died', submit: 'Record the death', fields: [
    { name: 'dateOfDeath', label: 'Date of death', hint: 'An estimate is fine', inputType: 'date', width: 'nhsuk-input--width-10' },
    { name: 'caller', label: 'Who called', width: 'nhsuk-input--width-20' }] },
  too_ill: { label: 'Too ill to take part', title: 'The patient is too ill to take part', submit: 'Record it', fields: [
    { name: 'caller', label: 'Who called', width: 'nhsuk-input--width-20' }] },
  ineligible: { label: 'Not eligible', title: 'The patient is not eligible', submit: 'Record it', fields: [
    { name: 'reason', label: 'Why', hint: 'For example, not treated for cancer at this trust', multiline: true }] },
  alternative_format: { label: 'Large print, another format or language', title: 'Ask for another format', submit: 'Record the request', fields: [
    { name: 'format', label: 'Format', options: [{ value: 'large_print', text: 'Large print (posted now)' }, { value: 'braille', text: 'Braille' },
      { value: 'audio', text: 'Audio' }, { value: 'easy_read', text: 'Easy read' }, { value: 'language', text: 'Another language' }] },
    { name: 'language', label: 'Language (if another language)', width: 'nhsuk-input--width-20' }] },
  address_change: { label: 'Change of address', title: 'Change the address', submit: 'Save the new address', fields: [
    { name: 'addressLines', label: 'New address', hint: 'One line per line of the address, without the postcode', multiline: true, rows: 4 } as Field,
    { name: 'postcode', label: 'Postcode', width: 'nhsuk-input--width-10' }] },
  replacement: { label: 'Lost questionnaire: send another', title: 'Send a replacement questionnaire', submit: 'Send a replacement', fields: [
    { name: 'caller', label: 'Who called', width: 'nhsuk-input--width-20' }] },
  query: { label: 'Other question', title: 'Record a question', submit: 'Record it', fields: [
    { name: 'notes', label: 'What the caller asked', multiline: true }] },
};

/** What to do, for a search field the service names as missing or wrong. */
const SEARCH_MESSAGES: Record<string, string> = {
  surname: 'Enter the surname, or search by survey reference.',
  postcode: 'Enter the postcode as a UK postcode, for example LS1 4AP, or search by survey reference.',
  dateOfBirth: 'Enter the date of birth, for example 27 3 1950.',
};

/** The helpline's pages: find the caller's patient, see their history, log the call in a few clicks. */
@Controller('helpline')
export class HelplinePages {
  constructor(private readonly helpline: HelplineService, private readonly surveys: SurveysService, private readonly pages: Pages) {}

  @Get()
  @Roles('coordinator', 'helpline')
  async search(@Query() query: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    const { survey, surveys } = await pageSurvey(this.surveys, query.survey);
    // The date of birth comes in three boxes (Day, Month, Year); a link may still carry ?dateOfBirth=YYYY-MM-DD.
    const born = dateParts(query, 'dateOfBirth');
    if (!born.day && !born.month && !born.year && /^\d{4}-\d{2}-\d{2}$/.test(query.dateOfBirth ?? '')) {
      [born.year, born.month, born.day] = query.dateOfBirth.split('-');
    }
    const asked = Boolean(query.reference || query.surname || query.postcode || born.day || born.month || born.year);
    const context = { title: 'Find a patient', survey, surveys, chooserAction: '/helpline', query, born, width: 'full' };
    if (!asked) return this.pages.render(res, 'helpline-search.njk', context);
    try {
      const date = parseDateParts(born, 'the date of birth');
      if ('error' in date) throw new DomainError('validation_failed', date.error, [{ where: 'dateOfBirth', message: date.error }]);
      const given = Object.entries(query).filter(([k, v]) => !['survey', 'dateOfBirth'].includes(k) && !k.startsWith('dateOfBirth-') && v);
      if ('iso' in date) given.push(['dateOfBirth', date.iso]);
      const find = validateInput(FindPatientDto, Object.fromEntries(given));
      const { matches } = await this.helpline.find(survey.code, find, req.principal!);
      if (matches.length === 1 && query.reference) return res.redirect(303, `/helpline/${survey.code}/patients/${matches[0].reference}`);
      this.pages.render(res, 'helpline-search.njk', { ...context, matches: matches.map((m) => ({ ...m, born: longDate(m.dateOfBirth) })) });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      const details = (error.details.length ? error.details : [{ message: error.message }]).map((d) => ({ ...d, message: /\.$/.test(d.message) ? d.message : SEARCH_MESSAGES[d.where ?? ''] ?? d.message }));
      const errors = fieldErrors(details);
      // The summary's link goes to the Day box, the first of the three.
      errors.summary = errors.summary.map((e) => (e.href === '#dateOfBirth' ? { ...e, href: '#dateOfBirth-day' } : e));
      this.pages.render(res, 'helpline-search.njk', { ...context, errors }, 400);
    }
  }

  @Get(':survey/patients/:ref')
  @Roles('coordinator', 'helpline')
  @Audited('patient.read')
  async patient(@Param('survey') survey: string, @Param('ref') ref: string, @Query('done') done: string | undefined, @Req() req: Request, @Res() res: Response) {
    const p = await this.helpline.record(survey, ref, req.principal!);
    this.pages.render(res, 'helpline-patient.njk', {
      title: `${p.reference}`, survey, width: 'full', canLog: true, notice: done,
      // A paper return booked in before its answers are scanned is a completion without a response row yet.
      returned: p.events.find((e) => e.kind === 'completed') ?? null,
      contactTypes: CONTACT_TYPES.map((type) => ({ type, label: FORMS[type].label })),
      p: {
        ...p,
        born: longDate(p.dateOfBirth),
        events: p.events.map((e) => ({ ...e, when: longDateTime(e.recordedAt) })),
        mailings: p.mailings.map((m) => ({ ...m, when: m.completedAt ? longDate(m.completedAt) : '', receipt: m.delivery ? TEXT_RECEIPTS[m.delivery] ?? m.delivery : null })),
        emailBounce: p.emailBounce && { ...p.emailBounce, on: longDate(p.emailBounce.bouncedAt) },
      },
    });
    return { reference: p.reference };
  }

  @Get(':survey/patients/:ref/log/:type')
  @Roles('coordinator', 'helpline')
  form(@Param('survey') survey: string, @Param('ref') ref: string, @Param('type') type: string, @Res() res: Response) {
    this.showForm(res, survey, ref, this.formFor(type), type, {});
  }

  @Post(':survey/patients/:ref/log/:type')
  @Roles('coordinator', 'helpline')
  @Audited('patient.contact')
  async log(@Param('survey') survey: string, @Param('ref') ref: string, @Param('type') type: string, @Body() body: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    const form = this.formFor(type);
    try {
      const input: Record<string, unknown> = { type };
      for (const f of form.fields) {
        const raw: unknown = body[f.name];
        // A crafted post can send fields[as]=objects; they are refused, never stored as "[object Object]".
        if (raw !== undefined && typeof raw !== 'string') throw new DomainError('validation_failed', `${f.label} must be text`, [{ where: f.name, message: `${f.label} must be text` }]);
        const value = (raw ?? '').trim();
        if (!value) continue;
        input[f.name] = f.name === 'addressLines' ? value.split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : value;
      }
      const logged = await this.helpline.log(survey, ref, validateInput(LogContactDto, input), req.principal!);
      res.redirect(303, `/helpline/${survey}/patients/${logged.reference}?done=${encodeURIComponent(logged.note)}`);
      return { reference: logged.reference };
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      const typed = Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string'));
      this.showForm(res, survey, ref, form, type, typed, fieldErrors(error.details.length ? error.details : [{ message: error.message }]), 400);
    }
  }

  private formFor(type: string) {
    const form = FORMS[type as ContactType];
    if (!form) throw new DomainError('not_found', 'No such kind of call');
    return form;
  }

  private showForm(res: Response, survey: string, reference: string, form: (typeof FORMS)[ContactType], type: string, values: Record<string, string>, errors?: ReturnType<typeof fieldErrors>, status = 200) {
    this.pages.render(res, 'helpline-log.njk', { title: form.title, survey, reference, type, fields: form.fields, submit: form.submit, values, errors }, status);
  }

}
