import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/roles';
import { DomainError, NotFoundError } from '../infra/errors/domain-error';
import { canonicalInstant } from '../infra/http/iso-date';
import { parseSurveySettings } from '../surveys/survey-settings';
import { SurveysService } from '../surveys/surveys.service';
import { isPublished, publicationSentence } from './publication-time';

export interface PublicationView {
  survey: string;
  publicationAt: string | null;
  /** The time has come: results are public. */
  published: boolean;
  /** Said as the public page says it. */
  sentence: string;
}

export interface PrereleaseEntry { email: string; role: string; trustCode: string | null; disabled: boolean; addedBy: string; addedAt: string }
export interface PrereleaseList { survey: string; publicationAt: string | null; published: boolean; people: PrereleaseEntry[] }

/**
 * A survey's publication time and its pre-release access list (Official Statistics): until the
 * time, only coordinators and the people on the list see any result (ResultsAccess applies it).
 * Every change is in the audit trail with what it was before.
 */
@Injectable()
export class PublicationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly audit: AuditService,
  ) {}

  async show(surveyCode: string): Promise<PublicationView> {
    const survey = await this.surveys.get(surveyCode);
    return view(survey.code, survey.name, survey.settings.publicationAt ?? null);
  }

  /** Sets or moves the time (null: back to "no date set yet", so results are embargoed again). */
  async set(surveyCode: string, at: string | null, by: Principal): Promise<PublicationView & { previous: string | null }> {
    const instant = at === null ? null : canonicalInstant(at.trim());
    if (at !== null && !instant) {
      throw new DomainError('validation_failed', 'Give the publication time as a date and time with its offset from UTC, e.g. 2027-06-10T08:30:00Z (9:30am in London in summer) or 2027-06-10T09:30:00+01:00',
        [{ where: '--at', message: 'not a real date and time with an offset' }]);
    }
    const survey = await this.surveys.get(surveyCode);
    const previous = survey.settings.publicationAt ?? null;
    const { publicationAt: _old, ...rest } = survey.settings;
    const settings = parseSurveySettings(instant ? { ...rest, publicationAt: instant } : rest);
    await this.dataSource.query('UPDATE surveys SET settings = $2, updated_at = now() WHERE id = $1', [survey.id, settings]);
    await this.audit.record({
      actor: by.id, actorRole: by.role, action: 'results.publication.set', surveyCode: survey.code,
      details: { from: previous, to: instant },
    });
    return { ...view(survey.code, survey.name, instant), previous };
  }

  async prerelease(surveyCode: string): Promise<PrereleaseList> {
    const survey = await this.surveys.get(surveyCode);
    const rows = await this.dataSource.query(
      `SELECT u.email, u.role, u.trust_code AS "trustCode", u.disabled_at IS NOT NULL AS disabled, p.added_by AS "addedBy", p.added_at AS "addedAt"
       FROM results_prerelease p JOIN users u ON u.id = p.user_id WHERE p.survey_id = $1 ORDER BY u.email`, [survey.id]);
    const { publicationAt, published } = view(survey.code, survey.name, survey.settings.publicationAt ?? null);
    return { survey: survey.code, publicationAt, published, people: rows.map((r: PrereleaseEntry & { addedAt: Date }) => ({ ...r, addedAt: r.addedAt.toISOString() })) };
  }

  /** Puts an existing, enabled user on the list (any role); adding someone already listed changes nothing. */
  async addPrerelease(surveyCode: string, email: string, by: Principal): Promise<PrereleaseList> {
    const survey = await this.surveys.get(surveyCode);
    const user = await this.user(email);
    if (user.disabled) throw new DomainError('invalid_state', 'That user is disabled: only a person who can sign in can be given pre-release access', [{ where: '--add', message: 'disabled' }]);
    await this.dataSource.query(
      'INSERT INTO results_prerelease (survey_id, user_id, added_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [survey.id, user.id, by.id]);
    await this.audit.record({ actor: by.id, actorRole: by.role, action: 'results.prerelease.add', surveyCode: survey.code, subject: user.email });
    return this.prerelease(survey.code);
  }

  async removePrerelease(surveyCode: string, email: string, by: Principal): Promise<PrereleaseList> {
    const survey = await this.surveys.get(surveyCode);
    const user = await this.user(email);
    const removed = await this.dataSource.query(
      // Through a WITH: a bare DELETE answers [rows, count] from TypeORM, never an empty list.
      'WITH d AS (DELETE FROM results_prerelease WHERE survey_id = $1 AND user_id = $2 RETURNING 1) SELECT * FROM d', [survey.id, user.id]);
    if (!removed.length) throw new NotFoundError(`${user.email} is not on this survey's pre-release access list: see it with results:prerelease --survey ${survey.code}`, '--remove');
    await this.audit.record({ actor: by.id, actorRole: by.role, action: 'results.prerelease.remove', surveyCode: survey.code, subject: user.email });
    return this.prerelease(survey.code);
  }

  private async user(raw: string): Promise<{ id: string; email: string; disabled: boolean }> {
    const email = String(raw ?? '').trim().toLowerCase();
    const [row] = await this.dataSource.query('SELECT id, email, disabled_at IS NOT NULL AS disabled FROM users WHERE email = $1', [email]);
    if (!row) {
      throw new NotFoundError('No user has that e-mail address: pre-release access is for people who sign in. Add them first with '
        + 'npm run cli -- user:add --email ADDRESS --role coordinator|trust|helpline [--trust CODE], then add them to the list.', 'email');
    }
    return row;
  }
}

function view(code: string, name: string, publicationAt: string | null): PublicationView {
  const published = isPublished(publicationAt);
  return { survey: code, publicationAt, published, sentence: publicationSentence(name, publicationAt, published) };
}
