import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { Audited } from '../audit/audited';
import type { Request, Response } from 'express';
import { AllowBeforePasswordChange, Public, Roles } from '../auth/roles';
import { readCookie, SESSION_COOKIE, setSessionCookie } from '../auth/token-authenticator';
import { AppConfig } from '../infra/config/app-config';
import { DomainError } from '../infra/errors/domain-error';
import { AddUserDto, ChangePasswordDto, CreateTokenDto, LoginDto } from './dto/users.dto';
import { UsersService } from './users.service';

const EVERYONE = ['coordinator', 'trust', 'helpline'] as const;

/** Signing in and out, passwords and personal API tokens. */
@Controller('api/auth')
export class AuthController {
  constructor(private readonly users: UsersService, private readonly config: AppConfig) {}

  /** Sets an HttpOnly, SameSite=Strict session cookie (Secure when the service is served over https). */
  @Post('login')
  @Public()
  @HttpCode(200)
  async login(@Body() body: LoginDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { session, user, expiresAt } = await this.users.login(body.email, body.password, req.ip ?? 'unknown');
    setSessionCookie(res, session, expiresAt, this.config.PUBLIC_BASE_URL);
    return { user, mustChangePassword: user.mustChangePassword };
  }

  @Post('logout')
  @Roles(...EVERYONE)
  @AllowBeforePasswordChange()
  @HttpCode(200)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const session = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (session) await this.users.logout(session);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    return { signedOut: true };
  }

  @Get('me')
  @Roles(...EVERYONE)
  @AllowBeforePasswordChange()
  me(@Req() req: Request) {
    const { id, role, trustCode, mustChangePassword } = req.principal!;
    return { id, role, trustCode: trustCode ?? null, mustChangePassword: mustChangePassword ?? false };
  }

  @Post('password')
  @Roles(...EVERYONE)
  @AllowBeforePasswordChange()
  @HttpCode(200)
  async changePassword(@Body() body: ChangePasswordDto, @Req() req: Request) {
    await this.users.changePassword(userIdOf(req), body.currentPassword, body.newPassword);
    return { changed: true };
  }

  /** A personal API token for scripts (e.g. a trust's nightly upload); shown only in this answer. */
  @Post('tokens')
  @Roles(...EVERYONE)
  createToken(@Body() body: CreateTokenDto, @Req() req: Request) {
    return this.users.createToken(userIdOf(req), body.name);
  }

  @Get('tokens')
  @Roles(...EVERYONE)
  async tokens(@Req() req: Request) {
    return { tokens: await this.users.tokens(userIdOf(req)) };
  }

  @Delete('tokens/:id')
  @Roles(...EVERYONE)
  async revoke(@Param('id') id: string, @Req() req: Request) {
    await this.users.revokeToken(userIdOf(req), id);
    return { revoked: true };
  }
}

/** Coordinators manage accounts; the one-time password is in the answer, for handing over. */
@Controller('api/users')
@Roles('coordinator')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Audited('user.add')
  add(@Body() body: AddUserDto, @Req() req: Request) {
    return this.users.add({ email: body.email, role: body.role, trustCode: body.trust }, req.principal!.id);
  }

  @Get()
  async list() {
    return { users: await this.users.list() };
  }

  @Post(':email/disable')
  @Audited('user.disable')
  @HttpCode(200)
  disable(@Param('email') email: string) {
    return this.users.disable(email);
  }
}

function userIdOf(req: Request): string {
  const id = req.principal?.userId;
  if (!id) throw new DomainError('invalid_state', 'The operator token belongs to no user account: sign in as a user for this');
  return id;
}
