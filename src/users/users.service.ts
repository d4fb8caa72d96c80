import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hash, verify } from 'argon2';
import { DataSource } from 'typeorm';
import type { Principal, Role } from '../auth/roles';
import { ROLES } from '../auth/roles';
import { ConflictError, DomainError, NotFoundError } from '../infra/errors/domain-error';
import { isUniqueViolation } from '../infra/database/pg-errors';
import { digestOf, newSecret, oneTimePassword } from './secrets';

export interface UserView {
  id: string;
  email: string;
  role: Role;
  trustCode: string | null;
  mustChangePassword: boolean;
  createdAt: string;
  disabled: boolean;
}

export const SESSION_HOURS = 10;
const FAILURE_WINDOW_MINUTES = 15;
const MAX_FAILURES_PER_EMAIL = 5;
const MAX_FAILURES_PER_IP = 30;
const MIN_PASSWORD_LENGTH = 12;

/**
 * Staff accounts: coordinators, trust users (bound to one trust) and helpline staff. Passwords
 * are argon2id hashes; sessions and API tokens are random secrets stored only as digests.
 * Failed logins are counted per e-mail and per address and refused for a while past a limit.
 */
@Injectable()
export class UsersService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates a user and returns the one-time password to hand over (it must be changed at first login). */
  async add(input: { email: string; role: string; trustCode?: string }, by: string): Promise<{ user: UserView; oneTimePassword: string }> {
    const email = normaliseEmail(input.email);
    if (!(ROLES as readonly string[]).includes(input.role)) {
      throw new DomainError('validation_failed', `The role must be one of ${ROLES.join(', ')}`, [{ where: 'role', message: `Choose a role: ${ROLES.join(', ')}` }]);
    }
    if ((input.role === 'trust') !== Boolean(input.trustCode)) {
      throw new DomainError('validation_failed', input.role === 'trust' ? 'A trust user needs the trust they work for (--trust)' : 'Only trust users are bound to a trust',
        [{ where: 'trust', message: input.role === 'trust' ? 'required for role trust' : 'only for role trust' }]);
    }
    if (input.trustCode) {
      const [trust] = await this.dataSource.query('SELECT 1 FROM trusts WHERE code = $1', [input.trustCode]);
      if (!trust) throw new NotFoundError('No trust has that code: check the trust code', 'trust');
    }
    const password = oneTimePassword();
    try {
      const [row] = await this.dataSource.query(
        `INSERT INTO users (email, role, trust_code, password_hash, must_change_password, created_by)
         VALUES ($1, $2, $3, $4, true, $5) RETURNING *`, [email, input.role, input.trustCode ?? null, await hash(password), by]);
      return { user: view(row), oneTimePassword: password };
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('A user with that e-mail address already exists');
      throw error;
    }
  }

  async list(): Promise<UserView[]> {
    return (await this.dataSource.query('SELECT * FROM users ORDER BY email')).map(view);
  }

  async disable(email: string): Promise<UserView> {
    const [row] = await this.dataSource.query(
      `WITH u AS (UPDATE users SET disabled_at = coalesce(disabled_at, now()) WHERE email = $1 RETURNING *) SELECT * FROM u`, [normaliseEmail(email)]);
    if (!row) throw new NotFoundError('No user has that e-mail address: check the address', 'email');
    await this.dataSource.query('DELETE FROM sessions WHERE user_id = $1', [row.id]);
    await this.dataSource.query('UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [row.id]);
    return view(row);
  }

  /**
   * A new one-time password for someone who forgot theirs or was locked out: their sessions
   * end, the failed sign-ins against their address are forgotten, and they must choose a new
   * password at the next sign-in. API tokens stay (scripts keep running).
   */
  async resetPassword(email: string): Promise<{ user: UserView; oneTimePassword: string }> {
    const password = oneTimePassword();
    const [row] = await this.dataSource.query(
      `WITH u AS (UPDATE users SET password_hash = $2, must_change_password = true WHERE email = $1 AND disabled_at IS NULL RETURNING *) SELECT * FROM u`,
      [normaliseEmail(email), await hash(password)]);
    if (!row) throw new NotFoundError('No active user has that e-mail address: check the address (a disabled user cannot be reset)', 'email');
    await this.dataSource.query('DELETE FROM sessions WHERE user_id = $1', [row.id]);
    await this.dataSource.query('DELETE FROM login_failures WHERE email = $1', [row.email]);
    return { user: view(row), oneTimePassword: password };
  }

  /** Checks a password; on success opens a session and returns its secret (for the cookie). */
  async login(emailRaw: string, password: string, ip: string): Promise<{ session: string; user: UserView; expiresAt: Date }> {
    const email = String(emailRaw ?? '').trim().toLowerCase();
    const [{ byEmail, byIp }] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE email = $1)::int AS "byEmail", count(*) FILTER (WHERE ip = $2)::int AS "byIp"
       FROM login_failures WHERE at > now() - make_interval(mins => $3) AND (email = $1 OR ip = $2)`, [email, ip, FAILURE_WINDOW_MINUTES]);
    if (byEmail >= MAX_FAILURES_PER_EMAIL || byIp >= MAX_FAILURES_PER_IP) {
      throw new DomainError('too_many_requests', `Too many failed sign-ins. Wait ${FAILURE_WINDOW_MINUTES} minutes and try again, or ask a coordinator to reset your password.`);
    }
    const [row] = await this.dataSource.query('SELECT * FROM users WHERE email = $1 AND disabled_at IS NULL', [email]);
    // Verify against a hash even for an unknown e-mail, so the answer takes as long either way.
    const ok = await verify(row?.password_hash ?? DUMMY_HASH, String(password ?? '')).catch(() => false);
    if (!row || !ok) {
      await this.dataSource.query('INSERT INTO login_failures (email, ip) VALUES ($1, $2)', [email, ip]);
      throw new DomainError('unauthenticated', 'The e-mail address or password is not right');
    }
    await this.dataSource.query('DELETE FROM login_failures WHERE email = $1', [email]);
    const { secret, digest } = newSecret('fws_');
    const expiresAt = new Date(Date.now() + SESSION_HOURS * 3_600_000);
    await this.dataSource.query('INSERT INTO sessions (digest, user_id, expires_at) VALUES ($1, $2, $3)', [digest, row.id, expiresAt]);
    return { session: secret, user: view(row), expiresAt };
  }

  async logout(session: string): Promise<void> {
    await this.dataSource.query('DELETE FROM sessions WHERE digest = $1', [digestOf(session)]);
  }

  async changePassword(userId: string, current: string, next: string): Promise<void> {
    const [row] = await this.dataSource.query('SELECT password_hash FROM users WHERE id = $1', [userId]);
    if (!row || !(await verify(row.password_hash, current).catch(() => false))) {
      throw new DomainError('validation_failed', 'The current password is not right', [{ where: 'currentPassword', message: 'Enter the password you use now; it does not match' }]);
    }
    if (next.length < MIN_PASSWORD_LENGTH) {
      throw new DomainError('validation_failed', `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters`, [{ where: 'newPassword', message: `Choose a new password of at least ${MIN_PASSWORD_LENGTH} characters` }]);
    }
    if (next === current) throw new DomainError('validation_failed', 'The new password must differ from the current one', [{ where: 'newPassword', message: 'Choose a new password that is different from the current one' }]);
    await this.dataSource.query('UPDATE users SET password_hash = $2, must_change_password = false WHERE id = $1', [userId, await hash(next)]);
  }

  /** A personal API token for scripts (uploads); shown once. */
  async createToken(userId: string, name: string): Promise<{ id: string; name: string; token: string }> {
    const { secret, digest } = newSecret('fwt_');
    const [row] = await this.dataSource.query(
      'INSERT INTO api_tokens (user_id, name, digest) VALUES ($1, $2, $3) RETURNING id', [userId, name, digest]);
    return { id: row.id, name, token: secret };
  }

  async revokeToken(userId: string, tokenId: string): Promise<void> {
    const [row] = await this.dataSource.query(
      `WITH u AS (UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND user_id = $2 RETURNING 1) SELECT * FROM u`,
      [tokenId, userId]);
    if (!row) throw new NotFoundError('None of your API tokens has that id: check the token id', 'id');
  }

  async tokens(userId: string) {
    return this.dataSource.query(
      `SELECT id, name, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"
       FROM api_tokens WHERE user_id = $1 ORDER BY created_at`, [userId]);
  }

  async byEmail(email: string): Promise<UserView> {
    const [row] = await this.dataSource.query('SELECT * FROM users WHERE email = $1', [normaliseEmail(email)]);
    if (!row) throw new NotFoundError('No user has that e-mail address: check the address', 'email');
    return view(row);
  }

  /** Who a session cookie belongs to, if it is live. */
  async fromSession(session: string): Promise<(Principal & { mustChangePassword: boolean }) | undefined> {
    const [row] = await this.dataSource.query(
      `SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id
       WHERE s.digest = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`, [digestOf(session)]);
    return row ? { ...principalOf(row), mustChangePassword: row.must_change_password } : undefined;
  }

  /** Who an API token belongs to, if it is live. */
  async fromToken(token: string): Promise<Principal | undefined> {
    const [row] = await this.dataSource.query(
      `WITH t AS (UPDATE api_tokens SET last_used_at = now() WHERE digest = $1 AND revoked_at IS NULL RETURNING user_id)
       SELECT u.* FROM t JOIN users u ON u.id = t.user_id WHERE u.disabled_at IS NULL`, [digestOf(token)]);
    return row ? principalOf(row) : undefined;
  }
}

// A real argon2id hash of a random string, to spend the same time on unknown e-mails.
const DUMMY_HASH = '$argon2id$v=19$m=65536,p=4,t=3$N+AB3sUsaauz1mcxtkOIwg$BoSNq4e8NiKPnAXhNCgLp4n3MTXcaSRu2JG2tyZb/v4';

function normaliseEmail(raw: string): string {
  const email = String(raw ?? '').trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
    throw new DomainError('validation_failed', 'Enter an e-mail address, such as name@example.nhs.uk', [{ where: 'email', message: 'Enter an e-mail address, such as name@example.nhs.uk' }]);
  }
  return email;
}

const principalOf = (row: { id: string; email: string; role: Role; trust_code: string | null }): Principal =>
  ({ id: row.email, userId: row.id, role: row.role, ...(row.trust_code ? { trustCode: row.trust_code } : {}) });

function view(row: Record<string, unknown>): UserView {
  return {
    id: row.id as string, email: row.email as string, role: row.role as Role, trustCode: row.trust_code as string | null,
    mustChangePassword: row.must_change_password as boolean, createdAt: (row.created_at as Date).toISOString(), disabled: row.disabled_at !== null,
  };
}
