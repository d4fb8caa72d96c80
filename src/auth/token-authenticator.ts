import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../infra/config/app-config';
import { Principal } from './roles';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Until users and sessions arrive, one operator token from configuration acts as a
 * coordinator. Compared as digests in constant time so length and content do not leak.
 */
@Injectable()
export class TokenAuthenticator {
  private readonly operatorDigest: Buffer;

  constructor(config: AppConfig) {
    let token = config.OPERATOR_TOKEN;
    if (!token) {
      token = randomBytes(24).toString('base64url');
      new Logger('Auth').warn(`OPERATOR_TOKEN is not set; this run's operator token is ${token}`);
    }
    this.operatorDigest = digest(token);
  }

  authenticate(authorization: string | undefined): Principal | undefined {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return undefined;
    if (timingSafeEqual(digest(match[1]), this.operatorDigest)) return { id: 'operator', role: 'coordinator' };
    return undefined;
  }
}
