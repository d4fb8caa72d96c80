import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/roles';
import { DomainError } from '../infra/errors/domain-error';
import type { Survey } from '../surveys/survey.entity';
import { isPublished, publicationSentence } from './publication-time';

/**
 * What a caller asks to see. Nothing: the survey's results as a whole (national, ICB, Cancer
 * Alliance tables, and per-trust tables as the caller's role allows). `trust`: one trust's
 * results (its page, its report). `openData`: only the published open-data tables (suppressed
 * national, ICB, Cancer Alliance and trust scores), which anyone may see from publication.
 */
export interface ResultsScope {
  trust?: string;
  openData?: boolean;
}

/** What the caller was granted. */
export interface ResultsGrant {
  /** Per-trust tables are cut to this trust (a trust user's own); null: every trust, as a coordinator sees them. */
  ownTrust: string | null;
  /** Sees everything a coordinator does: a coordinator, or a person on the pre-release list before publication. */
  everything: boolean;
  published: boolean;
}

/** The refusal of anyone who may not see results yet: it says when they will be published. */
export class ResultsEmbargoed extends DomainError {
  constructor(readonly sentence: string) {
    super('forbidden', `${sentence} Until then only coordinators and the survey's pre-release access list may see its results.`);
  }
}

/**
 * Who may see which results. Every way results leave the service (API, pages, CLI, reports,
 * exports, the public page and its open data) asks here first, so the rules live in one place.
 *
 * Before publication (the survey's publicationAt unset or still to come), only coordinators and
 * the people on the survey's pre-release access list see any result; a listed person of any
 * role sees all of them, as a coordinator would. Everyone else is refused with a sentence that
 * says when results will be published.
 *
 * From publication the list no longer matters (pre-release access ends at release) and roles
 * decide: coordinators see everything; a trust user sees their own trust's results and reports
 * and the survey-wide tables (their per-trust tables are cut to their own trust); helpline users
 * and the public (principal null) see only the open-data tables. The league table and results of
 * another trust stay with coordinators.
 */
@Injectable()
export class ResultsAccess {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Throws a forbidden DomainError when principal (null: not signed in) may not see scope of survey. */
  async assertMaySee(survey: Pick<Survey, 'id' | 'code' | 'settings'> & Partial<Pick<Survey, 'name'>>, principal: Principal | null, scope: ResultsScope = {}): Promise<ResultsGrant> {
    const publicationAt = survey.settings.publicationAt;
    const published = isPublished(publicationAt);
    if (principal?.role === 'coordinator') return { ownTrust: null, everything: true, published };
    if (!published) {
      if (principal && await this.isListed(survey.id, principal.userId)) return { ownTrust: null, everything: true, published };
      throw new ResultsEmbargoed(publicationSentence(survey.name ?? survey.code, publicationAt, false));
    }
    if (scope.openData) return { ownTrust: null, everything: false, published };
    if (principal?.role === 'trust' && principal.trustCode) {
      if (scope.trust && scope.trust !== principal.trustCode) {
        throw new DomainError('forbidden', "You can only see your own trust's results and the survey-wide tables; every trust's published scores are in the open data");
      }
      return { ownTrust: principal.trustCode, everything: false, published };
    }
    throw new DomainError('forbidden', `Only the published tables of this survey are open to you: see /results/${survey.code}`);
  }

  private async isListed(surveyId: string, userId: string | undefined): Promise<boolean> {
    if (!userId) return false;
    return (await this.dataSource.query('SELECT 1 FROM results_prerelease WHERE survey_id = $1 AND user_id = $2', [surveyId, userId])).length > 0;
  }
}
