import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ALLOW_PASSWORD_CHANGE_KEY, PUBLIC_KEY, Role, ROLES_KEY } from './roles';
import { DomainError } from '../infra/errors/domain-error';
import { TokenAuthenticator } from './token-authenticator';

/** Global guard: deny by default. Only @Public routes and routes whose @Roles match pass. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: TokenAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);

    const request = context.switchToHttp().getRequest<Request>();
    const principal = await this.authenticator.authenticate(request);
    if (!principal) throw new DomainError('unauthenticated', 'Sign in or send a valid API token (Authorization: Bearer …)');
    if (principal.mustChangePassword && !this.reflector.getAllAndOverride<boolean>(ALLOW_PASSWORD_CHANGE_KEY, targets)) {
      throw new DomainError('forbidden', 'Choose a new password first: you signed in with a one-time password');
    }
    if (!roles?.length) throw new DomainError('forbidden', 'This route is not open to any role');
    if (!roles.includes(principal.role)) throw new DomainError('forbidden', 'Your role does not allow this');
    request.principal = principal;
    return true;
  }
}
