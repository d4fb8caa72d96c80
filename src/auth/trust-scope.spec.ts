import { DomainError } from '../infra/errors/domain-error';
import { assertTrustScope } from './trust-scope';

describe('trust scope', () => {
  it('refuses a trust user acting for another trust', () => {
    expect(() => assertTrustScope({ id: 'u1', role: 'trust', trustCode: 'RXX' }, 'RYY'))
      .toThrow(new DomainError('forbidden', "You can only work with your own trust's samples (RXX)"));
  });

  it('lets a trust user act for their own trust, and coordinators for any', () => {
    expect(() => assertTrustScope({ id: 'u1', role: 'trust', trustCode: 'RXX' }, 'RXX')).not.toThrow();
    expect(() => assertTrustScope({ id: 'operator', role: 'coordinator' }, 'RYY')).not.toThrow();
  });
});
