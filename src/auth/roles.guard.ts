import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PUBLIC_KEY, Role, ROLES_KEY } from './roles';
import { TokenAuthenticator } from './token-authenticator';

/** Global guard: deny by default. Only @Public routes and routes whose @Roles match pass. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: TokenAuthenticator,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);

    const request = context.switchToHttp().getRequest<Request>();
    const principal = this.authenticator.authenticate(request.headers.authorization);
    if (!principal) throw new UnauthorizedException('Sign in or send a valid API token (Authorization: Bearer …)');
    if (!roles?.length) throw new ForbiddenException('This route is not open to any role');
    if (!roles.includes(principal.role)) throw new ForbiddenException('Your role does not allow this');
    request.principal = principal;
    return true;
  }
}
