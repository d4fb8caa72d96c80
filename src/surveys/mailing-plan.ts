import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../infra/errors/domain-error';
import { TEMPLATES_DIR } from '../infra/paths';

export const PLAN_CHANNELS = ['postal', 'email', 'sms'] as const;
export type PlanChannel = (typeof PLAN_CHANNELS)[number];

export const GROUP_SEXES = ['male', 'female', 'other'] as const;
export type GroupSex = (typeof GROUP_SEXES)[number];

/**
 * Who a step reaches, when not everyone: every condition given must hold. Kept small on
 * purpose, so a plan stays readable and each condition is one checked SQL predicate.
 */
export interface PatientGroup {
  /** Age at discharge, whole years, inclusive. */
  ageMin?: number;
  ageMax?: number;
  sex?: GroupSex[];
  hasMobile?: boolean;
  hasEmail?: boolean;
}

export interface MailingPlanStep {
  /** What coordinators launch (`wave:launch --step NAME`): lower case, digits and _. */
  name: string;
  /** Days after the first step's launch at which the step's mail is due (the first step: 0). */
  day: number;
  /**
   * What goes out on each channel. Post: the letter in templates/letters/<letter>.json (its
   * includesQuestionnaire decides between a full pack and a reminder letter). E-mail: the
   * template in templates/emails/<template>.json. SMS: Notify's template (the configured one
   * unless templateId names another), personalised with the link, access code and helpline.
   */
  channels: { postal?: { letter: string }; email?: { template: string }; sms?: { templateId?: string } };
  group?: PatientGroup;
}

/** Today's three mailings: everyone by post, and by e-mail where there is an address. */
export function defaultMailingPlan(schedule: { reminder_1: number; reminder_2: number } = { reminder_1: 21, reminder_2: 49 }): MailingPlanStep[] {
  const both = (name: string) => ({ postal: { letter: name }, email: { template: name } });
  return [
    { name: 'initial', day: 0, channels: both('initial') },
    { name: 'reminder_1', day: schedule.reminder_1, channels: both('reminder_1') },
    { name: 'reminder_2', day: schedule.reminder_2, channels: both('reminder_2') },
  ];
}

/** The survey's plan: its own, or the default built from its reminder schedule. */
export function mailingPlanOf(settings: { mailingPlan?: MailingPlanStep[]; schedule?: { reminder_1: number; reminder_2: number } }): MailingPlanStep[] {
  return settings.mailingPlan ?? defaultMailingPlan(settings.schedule);
}

/** The plan's step of that name, or a sentence listing the steps there are. */
export function planStep(plan: MailingPlanStep[], name: string): MailingPlanStep {
  const step = plan.find((s) => s.name === name);
  if (!step) {
    // The name given is not repeated: it is the caller's input, and may be anything.
    throw new DomainError('validation_failed', `This survey's mailing plan has no step of that name: its steps are ${plan.map((s) => s.name).join(', ')}`,
      [{ where: 'step', message: 'not in the survey\'s mailing plan' }]);
  }
  return step;
}

export const stepChannels = (step: MailingPlanStep): PlanChannel[] => PLAN_CHANNELS.filter((c) => step.channels[c]);

const STEP_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const TEMPLATE_NAME = /^[a-z0-9][a-z0-9_-]{0,60}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_STEPS = 12;

interface Problem { where: string; message: string }

/**
 * Every problem of a plan as a sentence naming the step and the field, so whoever writes the
 * settings can correct them all at once. Templates must exist now: a missing one would
 * otherwise surface weeks later, when its step is due.
 */
export function checkMailingPlan(raw: unknown, templatesDir = TEMPLATES_DIR): Problem[] {
  const at = 'settings.mailingPlan';
  if (!Array.isArray(raw) || !raw.length || raw.length > MAX_STEPS) {
    return [{ where: at, message: `mailingPlan must be a list of 1 to ${MAX_STEPS} steps, the first one going out on day 0` }];
  }
  const problems: Problem[] = [];
  const seen = new Set<string>();
  let previousDay = -1;
  for (const [i, s] of raw.entries()) {
    const where = `${at}[${i}]`;
    const add = (field: string, message: string) => problems.push({ where: field ? `${where}.${field}` : where, message });
    if (!isObject(s)) { add('', `Step ${i + 1} must be an object with a name, a day and channels`); continue; }
    const step = s as Record<string, unknown>;
    const label = typeof step.name === 'string' && STEP_NAME.test(step.name) ? `Step "${step.name}"` : `Step ${i + 1}`;
    for (const key of Object.keys(step)) if (!['name', 'day', 'channels', 'group'].includes(key)) add(key, `${label} has an unknown field "${key}": a step has name, day, channels and group`);
    if (typeof step.name !== 'string' || !STEP_NAME.test(step.name)) {
      add('name', `${label} needs a name of lower-case letters, digits and _ (up to 40, starting with a letter), e.g. sms_nudge`);
    } else if (seen.has(step.name)) {
      add('name', `${label} appears twice: each step needs its own name`);
    } else seen.add(step.name);
    if (!Number.isInteger(step.day) || (step.day as number) < 0 || (step.day as number) > 365) {
      add('day', `${label}'s day must be a whole number of days from 0 to 365 after the first step's launch`);
    } else if (i === 0 && step.day !== 0) {
      add('day', `${label} is the first step, which starts fieldwork: its day must be 0`);
    } else if ((step.day as number) < previousDay) {
      add('day', `${label}'s day ${step.day} comes before the step above it (day ${previousDay}): list the steps in the order they go out`);
    } else previousDay = step.day as number;
    problems.push(...checkChannels(step.channels, `${where}.channels`, label, templatesDir));
    if (step.group !== undefined) problems.push(...checkGroup(step.group, `${where}.group`, label, step.channels));
  }
  return problems;
}

function checkChannels(raw: unknown, where: string, label: string, templatesDir: string): Problem[] {
  if (!isObject(raw) || !Object.keys(raw).length) {
    return [{ where, message: `${label} needs channels: at least one of postal, email and sms, each with its content` }];
  }
  const problems: Problem[] = [];
  const c = raw as Record<string, unknown>;
  const add = (field: string, message: string) => problems.push({ where: `${where}.${field}`, message });
  for (const key of Object.keys(c)) if (!(PLAN_CHANNELS as readonly string[]).includes(key)) add(key, `${label} has an unknown channel "${key}": the channels are postal, email and sms`);
  const named = (channel: 'postal' | 'email', field: 'letter' | 'template', folder: string) => {
    if (c[channel] === undefined) return;
    const content = c[channel] as Record<string, unknown>;
    if (!isObject(content) || Object.keys(content).some((k) => k !== field) || typeof content[field] !== 'string' || !TEMPLATE_NAME.test(content[field] as string)) {
      add(channel, `${label}'s ${channel} content must be { "${field}": "<name of a file in templates/${folder}/>" }, e.g. { "${field}": "reminder_1" }`);
    } else if (!existsSync(join(templatesDir, folder, `${content[field]}.json`))) {
      add(`${channel}.${field}`, `${label}'s ${channel} ${field} "${content[field]}" does not exist: add templates/${folder}/${content[field]}.json or name an existing one`);
    }
  };
  named('postal', 'letter', 'letters');
  named('email', 'template', 'emails');
  if (c.sms !== undefined) {
    const sms = c.sms as Record<string, unknown>;
    if (!isObject(sms) || Object.keys(sms).some((k) => k !== 'templateId') || (sms.templateId !== undefined && (typeof sms.templateId !== 'string' || !UUID.test(sms.templateId)))) {
      add('sms', `${label}'s sms content must be {} (the configured Notify template) or { "templateId": "<a Notify template id (a UUID)>" }`);
    }
  }
  return problems;
}

function checkGroup(raw: unknown, where: string, label: string, channels: unknown): Problem[] {
  const keys = ['ageMin', 'ageMax', 'sex', 'hasMobile', 'hasEmail'];
  if (!isObject(raw) || !Object.keys(raw).length) {
    return [{ where, message: `${label}'s group must give at least one of ${keys.join(', ')} (or be left out to mail everyone)` }];
  }
  const problems: Problem[] = [];
  const g = raw as Record<string, unknown>;
  const add = (field: string, message: string) => problems.push({ where: `${where}.${field}`, message });
  for (const key of Object.keys(g)) if (!keys.includes(key)) add(key, `${label}'s group has an unknown condition "${key}": the conditions are ${keys.join(', ')}`);
  for (const key of ['ageMin', 'ageMax']) {
    if (g[key] !== undefined && (!Number.isInteger(g[key]) || (g[key] as number) < 0 || (g[key] as number) > 130)) {
      add(key, `${label}'s group ${key} must be an age in whole years from 0 to 130 (age at discharge, inclusive)`);
    }
  }
  if (Number.isInteger(g.ageMin) && Number.isInteger(g.ageMax) && (g.ageMin as number) > (g.ageMax as number)) {
    add('ageMax', `${label}'s group ageMax ${g.ageMax} is below its ageMin ${g.ageMin}: nobody would be mailed`);
  }
  if (g.sex !== undefined && (!Array.isArray(g.sex) || !g.sex.length || g.sex.some((x) => !(GROUP_SEXES as readonly unknown[]).includes(x)))) {
    add('sex', `${label}'s group sex must be a list of ${GROUP_SEXES.join(', ')} (other includes not known)`);
  }
  for (const key of ['hasMobile', 'hasEmail']) {
    if (g[key] !== undefined && typeof g[key] !== 'boolean') add(key, `${label}'s group ${key} must be true or false`);
  }
  const c = isObject(channels) ? (channels as Record<string, unknown>) : {};
  if (g.hasMobile === false && c.sms && !c.postal && !c.email) add('hasMobile', `${label} only sends texts, but its group is patients without a mobile number: nobody would be mailed`);
  if (g.hasEmail === false && c.email && !c.postal && !c.sms) add('hasEmail', `${label} only sends e-mails, but its group is patients without an e-mail address: nobody would be mailed`);
  return problems;
}

const SEX_CODES: Record<GroupSex, string> = { male: `'1'`, female: `'2'`, other: '' };

/**
 * The group as a predicate on patients aliased `p`. Built only from a checked plan (integers,
 * booleans and the fixed sex names), so nothing typed by a person reaches the SQL.
 */
export function groupSql(group: PatientGroup | undefined, p = 'p'): string {
  if (!group) return 'true';
  const age = `extract(year FROM age(${p}.discharge_date, ${p}.date_of_birth))`;
  const parts: string[] = [];
  if (group.ageMin !== undefined) parts.push(`${age} >= ${Math.trunc(Number(group.ageMin))}`);
  if (group.ageMax !== undefined) parts.push(`${age} <= ${Math.trunc(Number(group.ageMax))}`);
  if (group.sex) {
    const sexes = group.sex.filter((s) => (GROUP_SEXES as readonly string[]).includes(s));
    const codes = sexes.filter((s) => s !== 'other').map((s) => SEX_CODES[s]);
    const alternatives = [...(codes.length ? [`trim(${p}.sex) IN (${codes.join(', ')})`] : []),
      ...(sexes.includes('other') ? [`trim(${p}.sex) NOT IN ('1', '2')`] : [])];
    parts.push(alternatives.length ? `(${alternatives.join(' OR ')})` : 'false');
  }
  if (group.hasMobile !== undefined) parts.push(`(${p}.mobile IS NOT NULL AND ${p}.mobile <> '') = ${group.hasMobile === true}`);
  if (group.hasEmail !== undefined) parts.push(`(${p}.email IS NOT NULL AND ${p}.email <> '') = ${group.hasEmail === true}`);
  return parts.length ? parts.join(' AND ') : 'true';
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);
