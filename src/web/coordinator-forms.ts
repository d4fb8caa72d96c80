import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { KIND_DEFAULTS, SURVEY_KINDS, SurveyKind } from '../surveys/survey-kinds';
import { SurveySettings } from '../surveys/survey-settings';
import { fieldErrors } from './pages';

/**
 * The coordinator's forms: page DTOs for what the form holds (date parts, settings as typed),
 * and the translation of the services' refusals into sentences beside the field they concern.
 */

const digits = (max: number, what: string) => [IsOptional(), IsString(), MaxLength(max, { message: `Enter the ${what} in numbers` })];
const apply = (decorators: PropertyDecorator[]): PropertyDecorator => (target, key) => decorators.forEach((d) => d(target, key));

/** One settings field of the new-survey form: where its default comes from and what to say when it is wrong. */
export interface SettingField { name: string; label: string; hint?: string; wrong: string; path: string; numeric?: boolean; wide?: boolean }

export const SETTING_FIELDS: SettingField[] = [
  { name: 'minimumAge', path: 'minimumAge', numeric: true, label: 'Minimum age at discharge', hint: 'Younger patients are excluded from the sample.', wrong: 'Enter the minimum age as a whole number from 0 to 120' },
  { name: 'maximumAge', path: 'maximumAge', numeric: true, label: 'Maximum age at discharge (optional)', hint: 'Older patients are excluded from the sample (over_15). Empty: no upper limit.', wrong: 'Enter the maximum age as a whole number from 0 to 120, or leave it empty' },
  { name: 'icd10Scope', path: 'icd10Scope', wide: true, label: 'ICD-10 codes in scope', hint: 'Codes or ranges, separated by commas: categories (C00-C97, D05) or subcategories (D35.2-D35.4).', wrong: 'Enter the ICD-10 codes in scope as codes or ranges separated by commas, for example C00-C97, D05 or D35.2-D35.4' },
  { name: 'reminder1', path: 'schedule.reminder_1', numeric: true, label: 'First reminder, days after the initial mailing', wrong: 'Enter the days before the first reminder as a whole number from 1 to 365' },
  { name: 'reminder2', path: 'schedule.reminder_2', numeric: true, label: 'Second reminder, days after the initial mailing', wrong: 'Enter the days before the second reminder as a whole number from 1 to 365, later than the first reminder' },
  { name: 'deceasedCheckMaxAgeDays', path: 'deceasedCheckMaxAgeDays', numeric: true, label: 'Oldest deceased check allowed for a mailing, in days', wrong: 'Enter the oldest deceased check allowed as a whole number of days from 0 to 90' },
  { name: 'suppressionThreshold', path: 'suppressionThreshold', numeric: true, label: 'Fewest respondents for a published result', wrong: 'Enter the fewest respondents for a published result as a whole number from 1 to 1000' },
  { name: 'maxRejectedRowShare', path: 'maxRejectedRowShare', numeric: true, label: 'Largest share of rejected rows before a sample file is refused', hint: 'A fraction: 0.2 is one row in five.', wrong: 'Enter the largest share of rejected rows as a fraction from 0 to 1, for example 0.2' },
  { name: 'questionnaire', path: 'questionnaire', label: 'Questionnaire', wrong: 'Enter the name of a questionnaire definition, for example cpes-2026' },
  { name: 'helplinePhone', path: 'helplinePhone', label: 'Helpline telephone number', wrong: 'Enter the helpline number as a UK telephone number, for example 0808 157 0192' },
  { name: 'helplineEmail', path: 'helplineEmail', wide: true, label: 'Helpline e-mail address', wrong: 'Enter the helpline e-mail address, for example cpes-helpline@example.nhs.uk' },
  { name: 'previousSurvey', path: 'previousSurvey', label: "Last year's survey code (optional)", hint: 'Results compare with it question by question.', wrong: "Enter last year's survey code, for example CPES-2025, or leave it empty" },
  { name: 'signatoryName', path: 'signatory.name', wide: true, label: 'Who signs the letters', wrong: 'Enter the name of who signs the letters on one line, for example Dr Jane Smith' },
  { name: 'signatoryRole', path: 'signatory.role', wide: true, label: 'Their role', wrong: 'Enter the role of who signs the letters on one line, for example Chief Nurse' },
  { name: 'retentionDaysAfterClose', path: 'retentionDaysAfterClose', numeric: true, label: 'Days patient data is kept after the survey closes', wrong: 'Enter the days patient data is kept after closing as a whole number from 0 to 3650' },
];

const at = (o: unknown, path: string) => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

/** The form's values when it is first shown: the settings' defaults for that kind of survey, as text. */
export function defaultSettingValues(kind: SurveyKind = 'adult'): Record<string, string> {
  const defaults = JSON.parse(JSON.stringify({ ...new SurveySettings(), ...KIND_DEFAULTS[kind] }));
  return Object.fromEntries(SETTING_FIELDS.map((f) => {
    const v = at(defaults, f.path);
    return [f.name, Array.isArray(v) ? v.join(', ') : v === undefined ? '' : String(v)];
  }));
}

/**
 * The overrides as parseSurveySettings takes them: an empty field, or one left at the default
 * the form showed (`shown`: the kind whose defaults filled it), keeps the default of the kind
 * chosen; numbers as numbers, anything else as typed (so it is refused).
 */
export function settingsFromForm(form: Record<string, string | undefined>, shown: SurveyKind = 'adult'): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const shownDefaults = defaultSettingValues(shown);
  for (const f of SETTING_FIELDS) {
    const raw = (form[f.name] ?? '').trim();
    if (!raw || raw === shownDefaults[f.name]) continue;
    const value = f.name === 'icd10Scope' ? raw.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean)
      : f.numeric && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    const [head, tail] = f.path.split('.');
    if (tail) settings[head] = { ...(settings[head] as object), [tail]: value };
    else settings[head] = value;
  }
  return settings;
}

export class NewSurveyForm {
  @Matches(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/, { message: 'Enter the survey code in capitals, digits and hyphens, for example CPES-2027' })
  @Length(3, 30, { message: 'Enter a survey code of 3 to 30 characters, for example CPES-2027' })
  code: string;

  @IsOptional() @IsString() @MaxLength(200, { message: 'Enter a name of at most 200 characters' })
  name?: string;

  @IsOptional() @IsIn(SURVEY_KINDS, { message: 'Choose which survey this is: the adult CPES or the Under-16 CPES' })
  kind?: SurveyKind;

  /** The kind whose defaults filled the settings fields when the form was shown. */
  @IsOptional() @IsIn(SURVEY_KINDS, { message: 'Choose which survey this is: the adult CPES or the Under-16 CPES' })
  shownKind?: SurveyKind;

  @apply(digits(2, 'day')) startDay?: string;
  @apply(digits(2, 'month')) startMonth?: string;
  @apply(digits(4, 'year')) startYear?: string;
  @apply(digits(2, 'day')) endDay?: string;
  @apply(digits(2, 'month')) endMonth?: string;
  @apply(digits(4, 'year')) endYear?: string;

  @IsOptional() @IsString() @MaxLength(200) minimumAge?: string;
  @IsOptional() @IsString() @MaxLength(200) maximumAge?: string;
  @IsOptional() @IsString() @MaxLength(200) icd10Scope?: string;
  @IsOptional() @IsString() @MaxLength(200) reminder1?: string;
  @IsOptional() @IsString() @MaxLength(200) reminder2?: string;
  @IsOptional() @IsString() @MaxLength(200) deceasedCheckMaxAgeDays?: string;
  @IsOptional() @IsString() @MaxLength(200) suppressionThreshold?: string;
  @IsOptional() @IsString() @MaxLength(200) maxRejectedRowShare?: string;
  @IsOptional() @IsString() @MaxLength(200) questionnaire?: string;
  @IsOptional() @IsString() @MaxLength(200) helplinePhone?: string;
  @IsOptional() @IsString() @MaxLength(200) helplineEmail?: string;
  @IsOptional() @IsString() @MaxLength(200) previousSurvey?: string;
  @IsOptional() @IsString() @MaxLength(200) signatoryName?: string;
  @IsOptional() @IsString() @MaxLength(200) signatoryRole?: string;
  @IsOptional() @IsString() @MaxLength(200) retentionDaysAfterClose?: string;
}

export class PauseForm {
  @IsString({ message: 'Enter why the mailing is paused, for the other coordinators to read' })
  @Length(1, 500, { message: 'Enter why the mailing is paused in at most 500 characters, for the other coordinators to read' })
  @Matches(/\S/, { message: 'Enter why the mailing is paused, for the other coordinators to read' })
  reason: string;
}

export class PurgeForm {
  @IsString({ message: 'Type the survey code to confirm the purge' }) @MaxLength(40, { message: 'Type the survey code to confirm the purge' })
  confirm: string;
}

/** An ISO date from the day, month and year fields, or null when they make no real date. */
export function dateFromParts(day?: string, month?: string, year?: string): string | null {
  if (![day, month, year].every((p) => p && /^\d+$/.test(p.trim()))) return null;
  const [d, m, y] = [day, month, year].map((p) => Number(p!.trim()));
  if (y < 2000 || y > 2100) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/**
 * A service's refusal as the error summary and the field messages. `fieldOf` maps a detail's
 * `where` to the form field it concerns; for a mapped field the page's own sentence replaces
 * the service's words (validators speak in fragments). Anything unmapped is shown at
 * `fallback` in the service's own sentence. Errors that are not refusals go on up.
 */
export function formErrors(error: unknown, fieldOf: (where: string | undefined) => string | undefined, sentences: Record<string, string>, fallback: string) {
  if (!(error instanceof DomainError) || !REFUSALS.includes(error.code)) throw error;
  const whole = error.message.replace(/^Invalid input: /, '');
  const details: ErrorDetail[] = error.details.length ? error.details : [{ message: error.message }];
  return fieldErrors(details.map((d) => {
    const field = fieldOf(d.where);
    if (field) return { where: field, message: sentences[field] ?? (isSentence(d.message) ? d.message : whole) };
    return { where: fallback, message: isSentence(d.message) ? d.message : whole };
  }));
}

const REFUSALS = ['validation_failed', 'not_found', 'conflict', 'invalid_state', 'file_rejected'];

/** Our own messages start with a capital and say what to do; a validator's fragment ("must be …", "not found") does not. */
const isSentence = (message: string) => /^[A-Z]/.test(message) && message.split(' ').length > 3;

/** Only these names: a detail naming another field of the same DTO is shown where the page has it. */
export const fieldsNamed = (...names: string[]) => (where: string | undefined) => (where && names.includes(where) ? where : undefined);

/** Where a settings problem is shown: the form field of the setting it names. */
export function settingsFieldOf(where: string | undefined): string | undefined {
  if (!where?.startsWith('settings.')) return undefined;
  const path = where.slice('settings.'.length).replace(/\[\d+\]$/, '');
  if (path === 'schedule') return 'reminder2';
  return SETTING_FIELDS.find((f) => f.path === path)?.name;
}

export const SETTINGS_SENTENCES: Record<string, string> = Object.fromEntries(SETTING_FIELDS.map((f) => [f.name, f.wrong]));
