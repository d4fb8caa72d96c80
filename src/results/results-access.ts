import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import type { Survey } from '../surveys/survey.entity';

/** What a caller asks to see: one trust's results, or the survey as a whole (national, ICB, alliance). */
export interface ResultsScope {
  trust?: string;
}

/**
 * Who may see which results. Every way results leave the service (API, pages, CLI, reports,
 * exports, the public page) asks here first, so the rules live in one place.
 * Today: coordinators see everything; a trust user sees their own trust and the national figures;
 * nobody else sees results.
 */
@Injectable()
export class ResultsAccess {
  /** Throws a forbidden DomainError when principal (null: not signed in) may not see scope of survey. */
  async assertMaySee(survey: Pick<Survey, 'id' | 'code' | 'settings'>, principal: Principal | null, scope: ResultsScope = {}): Promise<void> {
    if (principal?.role === 'coordinator') return;
    if (principal?.role === 'trust') {
      if (scope.trust && scope.trust !== principal.trustCode) {
        throw new DomainError('forbidden', "You can only see your own trust's results and the national figures");
      }
      return;
    }
    throw new DomainError('forbidden', 'Survey results are for coordinators and trusts');
  }
}
