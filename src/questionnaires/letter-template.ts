import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../infra/errors/domain-error';
import { TEMPLATES_DIR } from '../infra/paths';

/** The default mailing plan's steps, whose letters and e-mails ship with the service. */
export const MAILING_STEPS = ['initial', 'reminder_1', 'reminder_2'] as const;
/** A step of a survey's mailing plan (surveys/mailing-plan.ts): the default's, or one the survey names. */
export type MailingStep = string;

/** What a letter may say about the patient and the survey; nothing else can be filled in. */
export interface LetterFields {
  salutation: string;
  trustName: string;
  surveyTitle: string;
  onlineUrl: string;
  accessCode: string;
  reference: string;
  helplinePhone: string;
  helplineEmail: string;
}
const FIELDS: (keyof LetterFields)[] = ['salutation', 'trustName', 'surveyTitle', 'onlineUrl', 'accessCode', 'reference', 'helplinePhone', 'helplineEmail'];

export interface LetterTemplate {
  step: MailingStep;
  heading: string;
  includesQuestionnaire: boolean;
  paragraphs: string[];
  signOff: string;
}

const templatesDir = join(TEMPLATES_DIR, 'letters');

/** Loads templates/letters/<step>.json, refusing unknown placeholders so a typo never reaches a patient. */
export function loadLetterTemplate(step: string, dir = templatesDir): LetterTemplate {
  const path = join(dir, `${step}.json`);
  let t: LetterTemplate;
  try {
    t = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DomainError('validation_failed', `Letter template ${path} cannot be read: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  if (t.step !== step) problems.push(`step is "${t.step}", expected "${step}"`);
  if (typeof t.heading !== 'string' || !t.heading) problems.push('heading is missing');
  if (typeof t.includesQuestionnaire !== 'boolean') problems.push('includesQuestionnaire must be true or false');
  if (!Array.isArray(t.paragraphs) || !t.paragraphs.length) problems.push('paragraphs must be a non-empty list');
  for (const text of [t.heading, t.signOff, ...(t.paragraphs ?? [])]) {
    for (const [, name] of String(text).matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
      if (!FIELDS.includes(name as keyof LetterFields)) problems.push(`unknown placeholder {{${name}}}`);
    }
  }
  if (problems.length) {
    throw new DomainError('validation_failed', `Letter template ${path} is invalid: ${problems.join('; ')}`,
      problems.map((message) => ({ where: path, message })));
  }
  return t;
}

export function fillLetter(text: string, fields: LetterFields): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: keyof LetterFields) => fields[name]);
}
