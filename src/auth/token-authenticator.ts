import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppConfig } from '../infra/config/app-config';
import { UsersService } from '../users/users.service';
import { Principal } from './roles';

const digest = (value: string) => createHash('sha256').update(value).digest();
export const SESSION_COOKIE = 'fieldwork_session';

/**
 * Who is calling: a bearer token (a user's personal API token, or the operator token from
 * configuration, which acts as a coordinator for automation), or a session cookie from the
 * sign-in page. The operator token is compared as a digest in constant time.
 */
@Injectable()
export class TokenAuthenticator {
  private readonly operatorDigest: Buffer;
  /** Made up for this run when OPERATOR_TOKEN is unset; the HTTP service prints it last, once listening. */
  readonly oneRunToken: string | undefined;

  constructor(config: AppConfig, private readonly users: UsersService) {
    this.oneRunToken = config.OPERATOR_TOKEN ? undefined : randomBytes(24).toString('base64url');
    this.operatorDigest = digest(config.OPERATOR_TOKEN ?? this.oneRunToken!);
  }

  async authenticate(request: Pick<Request, 'headers'>): Promise<Principal | undefined> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer) {
      if (timingSafeEqual(digest(bearer), this.operatorDigest)) return { id: 'operator', role: 'coordinator' };
      return bearer.startsWith('fwt_') ? this.users.fromToken(bearer) : undefined;
    }
    const session = readCookie(request.headers.cookie, SESSION_COOKIE);
    return session ? this.users.fromSession(session) : undefined;
  }
}

/** One cookie's value from a Cookie header (the only cookie we read, so no parser is needed). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** The session cookie: HttpOnly, SameSite=Strict, Secure when the service is served over https. */
export function setSessionCookie(res: Pick<Response, 'cookie'>, session: string, expiresAt: Date, publicBaseUrl: string): void {
  res.cookie(SESSION_COOKIE, session, { httpOnly: true, sameSite: 'strict', secure: publicBaseUrl.startsWith('https:'), path: '/', expires: expiresAt });
}
