import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AllowBeforePasswordChange, Public, Roles } from '../auth/roles';
import { readCookie, SESSION_COOKIE, setSessionCookie } from '../auth/token-authenticator';
import { AppConfig } from '../infra/config/app-config';
import { DomainError } from '../infra/errors/domain-error';
import { UsersService } from '../users/users.service';
import { fieldErrors, HOME, Pages } from './pages';

/** Only paths on this site, so a crafted link cannot send someone elsewhere after signing in. */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?!\/)[\w\-/?=&.%]*$/.test(next) ? next : undefined);

/** A form field as text: a crafted post may send field[x]=… as an object, which is no password. */
const text = (value: unknown) => (typeof value === 'string' ? value : '');

@Controller()
export class WebAuthController {
  constructor(private readonly users: UsersService, private readonly pages: Pages, private readonly config: AppConfig) {}

  @Get()
  @Public()
  root(@Res() res: Response) {
    res.redirect(303, '/login');
  }

  @Get('login')
  @Public()
  loginPage(@Query('next') next: string | undefined, @Res() res: Response) {
    this.pages.render(res, 'login.njk', { title: 'Sign in', next: safeNext(next) });
  }

  @Post('login')
  @Public()
  async login(@Body() body: Record<string, string>, @Query('next') next: string | undefined, @Req() req: Request, @Res() res: Response) {
    try {
      const { session, user, expiresAt } = await this.users.login(body.email, body.password, req.ip ?? 'unknown');
      setSessionCookie(res, session, expiresAt, this.config.PUBLIC_BASE_URL);
      res.redirect(303, user.mustChangePassword ? '/password?first=1' : safeNext(next) ?? HOME[user.role]);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const message = error.code === 'too_many_requests' ? error.message : 'Enter a correct email address and password';
      this.pages.render(res, 'login.njk', {
        title: 'Sign in', next: safeNext(next), email: body.email, errors: fieldErrors([{ where: 'email', message }]),
      }, error.code === 'too_many_requests' ? 429 : 401);
    }
  }

  @Get('password')
  @Roles('coordinator', 'trust', 'helpline')
  @AllowBeforePasswordChange()
  passwordPage(@Query('first') first: string | undefined, @Res() res: Response) {
    this.pages.render(res, 'password.njk', { title: 'Choose a new password', first: Boolean(first) });
  }

  @Post('password')
  @Roles('coordinator', 'trust', 'helpline')
  @AllowBeforePasswordChange()
  async changePassword(@Body() body: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    try {
      await this.users.changePassword(req.principal!.userId ?? '', text(body.currentPassword), text(body.newPassword));
      res.redirect(303, HOME[req.principal!.role]);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.pages.render(res, 'password.njk', { title: 'Choose a new password', errors: fieldErrors(error.details.length ? error.details : [{ message: error.message }]) }, 400);
    }
  }

  @Post('logout')
  @Roles('coordinator', 'trust', 'helpline')
  @AllowBeforePasswordChange()
  async logout(@Req() req: Request, @Res() res: Response) {
    const session = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (session) await this.users.logout(session);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/login');
  }
}
