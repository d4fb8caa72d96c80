import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested, validateSync,
} from 'class-validator';
import { DomainError } from '../infra/errors/domain-error';
import { IsIsoDate, IsIsoInstant } from '../infra/http/iso-date';
import { flattenValidationErrors } from '../infra/http/validation';
import { checkMailingPlan, MailingPlanStep } from './mailing-plan';
import { KIND_DEFAULTS, SurveyKind } from './survey-kinds';

/** Days after the initial mailing at which each reminder is due (in the default mailing plan). */
export class MailingSchedule {
  @IsInt() @Min(1) @Max(365)
  reminder_1 = 21;

  @IsInt() @Min(1) @Max(365)
  reminder_2 = 49;
}

export const ADDRESSEES = ['patient', 'parent_or_carer'] as const;
export type Addressee = (typeof ADDRESSEES)[number];

const ICD10_SCOPE_ENTRY = /^[A-Z]\d{2}(\.\d)?(-[A-Z]\d{2}(\.\d)?)?$/;

/** One age band of questionnaireByAge: ages fromAge to toAge inclusive, in whole years. */
export class QuestionnaireBand {
  @IsInt() @Min(0) @Max(120)
  fromAge: number;

  @IsInt() @Min(0) @Max(120)
  toAge: number;

  @Matches(/^[a-z0-9][a-z0-9-]{0,60}$/, { message: 'questionnaire must name a file in templates/questionnaires/, e.g. u16-8-11' })
  questionnaire: string;
}

/** One line of printable text: no control characters, no spaces at either end. */
const ONE_LINE = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u;

/** Who signs the survey's letters, printed under "Yours sincerely,". */
export class Signatory {
  /** As it should appear, e.g. "Dr Jane Smith". */
  @IsString() @Length(1, 80) @Matches(ONE_LINE, { message: 'signatory.name must be one line of text, e.g. Dr Jane Smith' })
  name = 'The Survey Manager';

  /** Their role, e.g. "Chief Nurse, Example Hospitals NHS Trust". */
  @IsString() @Length(1, 120) @Matches(ONE_LINE, { message: 'signatory.role must be one line of text, e.g. Chief Nurse' })
  role = 'National Cancer Patient Experience Survey';
}

/**
 * The rules of one survey year. Next year's survey, the Under-16 survey or another NHS
 * patient survey change these, so code reads them from here, never from constants.
 */
export class SurveySettings {
  /** Age at discharge below which a row is excluded as `under_16`. */
  @IsInt() @Min(0) @Max(120)
  minimumAge = 16;

  /** Age at discharge above which a row is excluded as `over_15` (the Under-16 survey); unset: no upper limit. */
  @IsOptional() @IsInt() @Min(0) @Max(120)
  maximumAge?: number;

  /**
   * ICD-10 codes or ranges in scope: three-character categories ("C00-C97", "D05") or
   * subcategories ("D35.2-D35.4", "D44.3").
   */
  @IsArray() @ArrayNotEmpty()
  @Matches(ICD10_SCOPE_ENTRY, { each: true, message: 'icd10Scope entries must look like "C00-C97", "D05", "D35.2-D35.4" or "D44.3"' })
  icd10Scope: string[] = ['C00-C97', 'D05'];

  /** Only trusts marked as Principal Treatment Centres (trust:add --ptc) may send a sample. */
  @IsBoolean()
  ptcOnly = false;

  /**
   * Who letters, envelopes and e-mails are addressed to: the patient, or (Under-16 survey) "the
   * parent or carer of" the patient, at the patient's address. Never the child.
   */
  @IsIn(ADDRESSEES, { message: `addressee must be one of ${ADDRESSEES.join(', ')}` })
  addressee: Addressee = 'patient';

  /**
   * Questionnaires by the patient's age on the fieldwork start date, youngest band first; a
   * patient older than every band takes the oldest band's. Unset: everyone gets `questionnaire`.
   */
  @IsOptional() @IsArray() @ArrayNotEmpty() @ValidateNested({ each: true }) @Type(() => QuestionnaireBand)
  questionnaireByAge?: QuestionnaireBand[];

  /**
   * The day fieldwork starts (YYYY-MM-DD): ages for questionnaireByAge are taken on it. Unset
   * until the initial mailing is launched, which sets it to that day.
   */
  @IsOptional() @IsIsoDate()
  fieldworkStart?: string;

  @ValidateNested() @Type(() => MailingSchedule)
  schedule: MailingSchedule = new MailingSchedule();

  /**
   * The survey's mailings in order (see mailing-plan.ts). Unset: today's three steps, the
   * reminders at the schedule's days. Checked by checkMailingPlan, which names step and field.
   */
  @IsOptional() @IsArray()
  mailingPlan?: MailingPlanStep[];

  /** A mailing is refused when the latest deceased check is older than this. */
  @IsInt() @Min(0) @Max(90)
  deceasedCheckMaxAgeDays = 7;

  /** Results (not fieldwork counts) with fewer respondents than this are suppressed. */
  @IsInt() @Min(1) @Max(1000)
  suppressionThreshold = 21;

  /** A sample file is rejected whole when more than this share of its rows are rejected. */
  @IsNumber() @Min(0) @Max(1)
  maxRejectedRowShare = 0.2;

  /** The questionnaire definition in templates/questionnaires/, without ".json". */
  @Matches(/^[a-z0-9][a-z0-9-]{0,60}$/, { message: 'questionnaire must name a file in templates/questionnaires/, e.g. cpes-2026' })
  questionnaire = 'cpes-2026';

  /**
   * The survey's name as letters and e-mails give it ("… is taking part in the {{surveyTitle}}").
   * Unset: the questionnaire's title up to any ':' (what follows a colon names the questionnaire's
   * audience, e.g. "children aged 8 to 11", not the survey).
   */
  @IsOptional() @IsString() @Length(1, 120) @Matches(ONE_LINE, { message: 'surveyTitle must be one line of text, e.g. Under-16 Cancer Patient Experience Survey' })
  surveyTitle?: string;

  /** Freephone helpline printed on every letter (the default is in Ofcom's range kept for drama: fictitious). */
  @Matches(/^0[0-9 ]{9,12}$/, { message: 'helplinePhone must be a UK telephone number such as 0808 157 0192' })
  helplinePhone = '0808 157 0192';

  @Matches(/^[^\s@]+@[^\s@]+$/, { message: 'helplineEmail must be an e-mail address' })
  helplineEmail = 'cpes-helpline@fieldwork.invalid';

  /** Last year's survey code: results compare with it question by question (matched by reportKey). */
  @IsOptional() @Matches(/^[A-Z0-9][A-Z0-9-]{1,30}$/, { message: 'previousSurvey must be a survey code such as CPES-2025' })
  previousSurvey?: string;

  @ValidateNested() @Type(() => Signatory)
  signatory: Signatory = new Signatory();

  /** Days after the survey is closed before patient-identifiable data may be purged. */
  @IsInt() @Min(0) @Max(3650)
  retentionDaysAfterClose = 30;

  /**
   * When the results are published (Official Statistics): until then only coordinators and the
   * survey's pre-release access list see any result. Unset: no date yet, so nobody else does.
   * Set with results:publication (kept in UTC, e.g. 2027-06-10T08:30:00Z).
   */
  @IsOptional() @IsIsoInstant()
  publicationAt?: string;
}

/**
 * Builds settings from defaults plus overrides, rejecting unknown keys and bad values with
 * every problem listed.
 */
export function parseSurveySettings(overrides: unknown = {}, kind: SurveyKind = 'adult'): SurveySettings {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new DomainError('validation_failed', 'Survey settings must be a JSON object');
  }
  const defaults = JSON.parse(JSON.stringify({ ...new SurveySettings(), ...KIND_DEFAULTS[kind] }));
  const o = overrides as Record<string, unknown>;
  // Nested settings merge over their defaults, so one can override a signatory's role alone.
  const nested = (key: 'schedule' | 'signatory') => (isObject(o[key]) ? { ...defaults[key], ...(o[key] as object) } : (o[key] ?? defaults[key]));
  const merged = { ...defaults, ...overrides, schedule: nested('schedule'), signatory: nested('signatory') };
  const settings = plainToInstance(SurveySettings, merged);
  const details = flattenValidationErrors(
    validateSync(settings, { whitelist: true, forbidNonWhitelisted: true }),
  ).map((d) => ({ where: `settings.${d.where}`, message: d.message }));
  const { reminder_1, reminder_2 } = settings.schedule ?? {};
  if (reminder_1 >= reminder_2) {
    details.push({ where: 'settings.schedule', message: 'reminder_2 must come after reminder_1' });
  }
  // With a plan, each step carries its own day and schedule is not read (stored settings keep
  // the schedule's defaults, so its presence cannot be refused on re-reading).
  if (o.mailingPlan !== undefined) details.push(...checkMailingPlan(o.mailingPlan));
  for (const [i, range] of (settings.icd10Scope ?? []).entries()) {
    const [from, to] = range.split('-');
    if (to && (from[0] !== to[0] || from > to)) {
      details.push({ where: `settings.icd10Scope[${i}]`, message: 'a range must run forwards within one letter, e.g. C00-C97' });
    }
  }
  details.push(...bandProblems(settings));
  if (details.length) {
    throw new DomainError('validation_failed', `Invalid survey settings: ${details.map((d) => `${d.where}: ${d.message}`).join('; ')}`, details);
  }
  return JSON.parse(JSON.stringify(settings));
}

/** Age bands run upwards without overlapping, each from its fromAge to its toAge. */
function bandProblems(settings: SurveySettings): { where: string; message: string }[] {
  const bands = settings.questionnaireByAge ?? [];
  return bands.flatMap((band, i) => {
    const where = `settings.questionnaireByAge[${i}]`;
    if (band.fromAge > band.toAge) return [{ where, message: 'fromAge must not be above toAge' }];
    if (i > 0 && band.fromAge <= bands[i - 1].toAge) return [{ where, message: 'bands must be in order of age without overlapping' }];
    return [];
  });
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);
