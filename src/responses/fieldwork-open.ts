import type { EntityManager } from 'typeorm';
import { DomainError } from '../infra/errors/domain-error';
import type { Survey } from '../surveys/survey.entity';

/**
 * A closed (or purged) survey's figures are final: no answers, returns or outcome changes are
 * taken, by any way in (online, phone, post room, returns and scans files, helpline).
 */
export function assertTakingResponses(survey: Pick<Survey, 'status'>): void {
  if (survey.status === 'closed' || survey.status === 'purged') {
    throw new DomainError('invalid_state', `This survey is ${survey.status}: it takes no more responses, returns or outcome changes`);
  }
}

/**
 * The same rule read again inside the caller's transaction, once it holds the survey's
 * suppression lock: survey:close takes that lock exclusively, so a close cannot land between
 * this check and the caller's write.
 */
export async function assertStillTakingResponses(m: Pick<EntityManager, 'query'>, surveyId: string): Promise<void> {
  const [survey] = await m.query('SELECT status FROM surveys WHERE id = $1', [surveyId]);
  assertTakingResponses(survey);
}
