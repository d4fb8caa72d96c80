import { DomainError } from '../infra/errors/domain-error';
import type { Principal } from './roles';

/** Trust users act only for their own trust; other roles are not bound to one. */
export function assertTrustScope(principal: Principal | undefined, trustCode: string): void {
  if (principal?.role === 'trust' && principal.trustCode !== trustCode) {
    throw new DomainError('forbidden', `You can only work with your own trust's samples (${principal.trustCode})`);
  }
}
