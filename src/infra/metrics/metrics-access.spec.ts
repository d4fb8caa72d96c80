import { metricsAccess } from './metrics-access';

describe('metrics scrape access', () => {
  const token = 'a-metrics-token-of-some-length';
  it('is off without a configured token, whatever is sent', () => {
    expect(metricsAccess(undefined, `Bearer ${token}`)).toBe('off');
  });
  it('allows only the exact bearer token', () => {
    expect(metricsAccess(token, `Bearer ${token}`)).toBe('allowed');
    expect(metricsAccess(token, `bearer ${token}`)).toBe('allowed');
    expect(metricsAccess(token, `Bearer ${token}x`)).toBe('denied');
    expect(metricsAccess(token, token)).toBe('denied');
    expect(metricsAccess(token, undefined)).toBe('denied');
  });
});
