import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../infra/errors/domain-error';
import { TEMPLATES_DIR } from '../infra/paths';
import type { LetterFields, MailingStep } from '../questionnaires/letter-template';

/** The letter's fields plus the personal links: the online questionnaire, and the opt-out page (both with the access code in them). */
export interface EmailFields extends LetterFields {
  onlineLink: string;
  optOutLink: string;
}
const FIELDS: (keyof EmailFields)[] = ['salutation', 'trustName', 'surveyTitle', 'onlineUrl', 'accessCode', 'reference',
  'helplinePhone', 'helplineEmail', 'onlineLink', 'optOutLink'];
const LINKS = new Set<string>(['onlineLink', 'optOutLink']);

export interface EmailTemplate {
  step: MailingStep;
  subject: string;
  paragraphs: string[];
  signOff: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/** Loads templates/emails/<step>.json, refusing unknown placeholders so a typo never reaches a patient. */
export function loadEmailTemplate(step: MailingStep, dir = join(TEMPLATES_DIR, 'emails')): EmailTemplate {
  const path = join(dir, `${step}.json`);
  let t: EmailTemplate;
  try {
    t = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new DomainError('validation_failed', `E-mail template ${path} cannot be read: ${(error as Error).message}`);
  }
  const problems: string[] = [];
  if (t.step !== step) problems.push(`step is "${t.step}", expected "${step}"`);
  if (typeof t.subject !== 'string' || !t.subject) problems.push('subject is missing');
  if (!Array.isArray(t.paragraphs) || !t.paragraphs.length) problems.push('paragraphs must be a non-empty list');
  if (typeof t.signOff !== 'string') problems.push('signOff is missing');
  if (!(t.paragraphs ?? []).some((p) => p.includes('{{onlineLink}}'))) problems.push('the personal link {{onlineLink}} appears nowhere');
  if (!(t.paragraphs ?? []).some((p) => p.includes('{{optOutLink}}'))) problems.push('the opt-out link {{optOutLink}} appears nowhere');
  for (const text of [t.subject, t.signOff, ...(t.paragraphs ?? [])]) {
    for (const [, name] of String(text).matchAll(PLACEHOLDER)) {
      if (!FIELDS.includes(name as keyof EmailFields)) problems.push(`unknown placeholder {{${name}}}`);
    }
  }
  if (problems.length) {
    throw new DomainError('validation_failed', `E-mail template ${path} is invalid: ${problems.join('; ')}`,
      problems.map((message) => ({ where: path, message })));
  }
  return t;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Plain text and HTML from the same template; every filled-in value is escaped in the HTML. */
export function renderEmail(t: EmailTemplate, fields: EmailFields): RenderedEmail {
  const text = (s: string) => s.replace(PLACEHOLDER, (_, name: keyof EmailFields) => fields[name]);
  const html = (s: string) => s.split(PLACEHOLDER).map((part, i) => {
    if (i % 2 === 0) return escapeHtml(part);
    const value = escapeHtml(fields[part as keyof EmailFields]);
    return LINKS.has(part) ? `<a href="${value}">${value}</a>` : value;
  }).join('');
  return {
    subject: text(t.subject),
    text: [...t.paragraphs.map(text), text(t.signOff)].join('\n\n') + '\n',
    html: `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${html(t.subject)}</title></head>\n`
      + `<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #212b32">\n`
      + t.paragraphs.map((p) => `<p>${html(p)}</p>`).join('\n')
      + `\n<p>${html(t.signOff)}</p>\n</body></html>\n`,
    headers: unsubscribeHeaders(fields.optOutLink),
  };
}

/**
 * One-click unsubscribe (RFC 2369, RFC 8058): mail programs show an "Unsubscribe" button, and
 * the provider POSTs `List-Unsubscribe=One-Click` to the opt-out page's address for the patient.
 */
export function unsubscribeHeaders(optOutLink: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${optOutLink}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
