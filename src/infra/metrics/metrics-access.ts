import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * May this scrape read the metrics? 'off' when no METRICS_TOKEN is configured (answer 404, as
 * if there were no such route). Compared as digests in constant time.
 */
export function metricsAccess(token: string | undefined, authorization: string | undefined): 'off' | 'denied' | 'allowed' {
  if (!token) return 'off';
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  return bearer !== undefined && timingSafeEqual(digest(bearer), digest(token)) ? 'allowed' : 'denied';
}
