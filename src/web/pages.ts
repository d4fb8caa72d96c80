import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import nunjucks from 'nunjucks';
import { join } from 'node:path';
import type { Principal } from '../auth/roles';
import { PROJECT_ROOT, TEMPLATES_DIR } from '../infra/paths';
import { longDate } from '../infra/dates';
import { KIND_NAMES, SurveyKind } from '../surveys/survey-kinds';

export const NHSUK_DIST = join(PROJECT_ROOT, 'node_modules', 'nhsuk-frontend', 'dist');

/** Where each role starts after signing in. */
export const HOME: Record<Principal['role'], string> = { coordinator: '/coordinator', trust: '/trust', helpline: '/helpline' };

/**
 * Server-rendered pages: Nunjucks templates in templates/pages/ on the NHS.UK frontend's page
 * template and styles. Autoescaping is on, so nothing a patient or trust typed becomes markup.
 */
@Injectable()
export class Pages {
  private readonly env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([join(TEMPLATES_DIR, 'pages'), NHSUK_DIST], { noCache: false }),
    { autoescape: true, throwOnUndefined: false },
  ).addFilter('longDate', longDate)
    // A survey's kind in words: "Adult CPES", "Under-16 CPES".
    .addFilter('kindName', (kind: SurveyKind) => KIND_NAMES[kind] ?? kind);

  render(res: Response, template: string, context: Record<string, unknown> = {}, status = 200): void {
    const principal = (res.req as { principal?: Principal }).principal;
    res.status(status).type('html').setHeader('Cache-Control', 'no-store');
    res.send(this.env.render(template, { user: principal, home: principal ? HOME[principal.role] : null, ...context }));
  }

  renderToString(template: string, context: Record<string, unknown>): string {
    return this.env.render(template, context);
  }
}

/** Field problems as the error summary and the fields show them. */
export function fieldErrors(details: { where?: string; message: string }[]): { summary: { text: string; href: string }[]; byField: Record<string, string> } {
  const byField: Record<string, string> = {};
  for (const d of details) if (d.where && !byField[d.where]) byField[d.where] = d.message;
  return { summary: details.map((d) => ({ text: d.message, href: `#${(d.where ?? 'main').replace(/[^\w-]/g, '-')}` })), byField };
}
