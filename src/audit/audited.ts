import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { from, Observable, switchMap } from 'rxjs';
import { AuditService, referencesIn } from './audit.service';

export const AUDITED_KEY = 'fieldwork:audited';

/** Records every successful call of the route in the audit log under this action. */
export const Audited = (action: string) => SetMetadata(AUDITED_KEY, action);

/** A trust code asked for in the query string, when it looks like one (ODS codes are short letters and digits). */
const trustAsked = (value: unknown): string | null => (typeof value === 'string' && /^[A-Za-z0-9]{3,10}$/.test(value) ? value : null);

/**
 * Writes the audit row after the handler succeeds and before the answer leaves: a read that
 * cannot be recorded is not served. Records the route pattern and its parameters (survey,
 * reference, trust, area (an ICB or Cancer Alliance), file, step), never the query string (a
 * search by surname and date of birth stays out of the trail) but its trust code, or the body.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector, private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const action = this.reflector.getAllAndOverride<string | undefined>(AUDITED_KEY, [context.getHandler(), context.getClass()]);
    if (!action) return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const params = req.params as Record<string, string>;
    return next.handle().pipe(switchMap((result) => from((async () => {
      if (res.statusCode >= 400) return result; // a page that answered with its form's errors read or changed nothing
      await this.audit.record({
        actor: req.principal?.id ?? (params.code ? 'patient (online)' : 'anonymous'),
        actorRole: req.principal?.role ?? null,
        action,
        surveyCode: params.survey ?? (result as { survey?: string } | undefined)?.survey,
        references: [...(params.ref ? [params.ref] : []), ...referencesIn(result)],
        // ?trust= (a comments export, a breakdown) is the one query value kept: whose results were read, never personal data.
        subject: params.id ?? params.step ?? params.trust ?? params.area ?? params.email ?? trustAsked(req.query.trust),
        details: { route: `${req.method} ${req.route?.path ?? ''}`, status: res.statusCode },
      });
      return result;
    })())));
  }
}
