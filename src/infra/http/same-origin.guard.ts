import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../errors/domain-error';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Kept apart from other refusals so the pages can tell a person what happened. */
export class CrossSiteRequestRefused extends DomainError {
  constructor() {
    super('forbidden', 'This form was sent from another site, so it was refused. Open the page on this service and try again.');
  }
}

/**
 * Refuses a state-changing request that a browser sent from another origin (login CSRF and
 * its kin): the SameSite cookie does not cover sign-in, the online answers or same-site
 * origins. Browsers name the sender in Sec-Fetch-Site and Origin; scripts with bearer tokens
 * (curl, the trusts' uploads) send neither and pass.
 */
@Injectable()
export class SameOriginGuard implements CanActivate {
  private readonly publicOrigin: string;

  constructor(config: AppConfig) {
    this.publicOrigin = new URL(config.PUBLIC_BASE_URL).origin;
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (SAFE_METHODS.has(req.method)) return true;
    const site = req.headers['sec-fetch-site'];
    // "none": the person typed or bookmarked it; anything but our own origin is someone else's page.
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new CrossSiteRequestRefused();
    const origin = req.headers.origin?.toLowerCase();
    const own = `${req.protocol}://${req.headers.host ?? ''}`.toLowerCase();
    if (origin !== undefined && origin !== this.publicOrigin && origin !== own) throw new CrossSiteRequestRefused();
    return true;
  }
}
