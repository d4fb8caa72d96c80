import { createHash, randomBytes } from 'node:crypto';

/** A secret to hand out once (session cookie, API token, one-time password) and its stored digest. */
export function newSecret(prefix: string, bytes = 32): { secret: string; digest: string } {
  const secret = `${prefix}${randomBytes(bytes).toString('base64url')}`;
  return { secret, digest: digestOf(secret) };
}

/** SHA-256 is enough for random 256-bit secrets (no guessing to slow down); passwords use argon2. */
export const digestOf = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** A one-time password people can type: 4 groups of 4 from an alphabet without look-alikes. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(16);
  return Array.from(bytes, (b, i) => `${i && i % 4 === 0 ? '-' : ''}${alphabet[b % alphabet.length]}`).join('');
}
