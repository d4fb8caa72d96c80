import type { AppConfig } from '../config/app-config';

/**
 * Per-message return paths (VERP): each e-mail's envelope sender is bounces+<ledger id>@domain,
 * so a bounce names its message even when the report quotes nothing of the original. The visible
 * From stays MAIL_FROM.
 */
export const BOUNCE_LOCAL_PART = 'bounces';

export function bounceDomain(config: Pick<AppConfig, 'BOUNCE_ADDRESS_DOMAIN' | 'MAIL_FROM'>): string {
  return (config.BOUNCE_ADDRESS_DOMAIN ?? config.MAIL_FROM.split('@')[1]).toLowerCase();
}

export function returnPath(ledgerId: string, domain: string): string {
  return `${BOUNCE_LOCAL_PART}+${ledgerId}@${domain}`;
}

/** The ledger id a bounce address names, or null when it is not one of ours (other domain, no id). */
export function ledgerIdOfReturnPath(address: string, domain: string): string | null {
  const match = /^([^@]+)@(.+)$/.exec(address.trim().toLowerCase());
  if (!match || match[2] !== domain.toLowerCase()) return null;
  const id = new RegExp(`^${BOUNCE_LOCAL_PART}\\+(\\d{1,18})$`).exec(match[1]);
  return id ? id[1] : null;
}

/** bounces@domain itself: a bounce whose recipient lost its +id, matched by the Message-ID it quotes instead. */
export function isBareBounceAddress(address: string, domain: string): boolean {
  return address.trim().toLowerCase() === `${BOUNCE_LOCAL_PART}@${domain.toLowerCase()}`;
}
