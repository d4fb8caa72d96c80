import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Audited } from '../audit/audited';
import { Roles } from '../auth/roles';
import { validateInput } from '../infra/http/validate-input';
import { TrustsService } from '../trusts/trusts.service';
import { AddUserDto } from '../users/dto/users.dto';
import { UsersService } from '../users/users.service';
import { fieldsNamed, formErrors } from './coordinator-forms';
import { longDate } from '../infra/dates';
import { fieldErrors, Pages } from './pages';

const USER_SENTENCES: Record<string, string> = {
  email: 'Enter the person’s work e-mail address, for example jane.smith@example.nhs.uk',
  role: 'Choose what the person does: coordinator, trust or helpline',
};

/** The trust field's own words: which one depends on what the service refused. */
const trustSentence = (message: string) => (/No trust has that code/.test(message)
  ? 'There is no trust with that code: check the code, or add the trust first on the Trusts page'
  : /Only trust users/.test(message) ? 'Leave the trust empty: only trust users belong to a trust'
    : /needs the trust/.test(message) ? 'Enter the ODS code of the trust this person works for, for example RXX'
      : 'Enter the trust’s ODS code: 3 to 5 capitals or digits, for example RXX');

/**
 * Staff accounts from the pages: add (user:add), disable (user:disable) and give a new
 * one-time password (user:reset-password), through the same UsersService calls. A one-time
 * password is shown once, on the page that answers the form, never in an address.
 */
@Controller('coordinator/users')
@Roles('coordinator')
export class CoordinatorUsersPages {
  constructor(private readonly users: UsersService, private readonly trusts: TrustsService, private readonly pages: Pages) {}

  @Get()
  async list(@Query('done') done: string | undefined, @Res() res: Response) {
    await this.show(res, { notice: done });
  }

  @Post()
  @Audited('user.add')
  async add(@Body() body: Record<string, string>, @Req() req: Request, @Res() res: Response) {
    const values = { email: body.email ?? '', role: body.role ?? '', trust: body.trust ?? '' };
    try {
      const input = validateInput(AddUserDto, {
        email: values.email.trim(), role: values.role, ...(values.trust.trim() ? { trust: values.trust.trim().toUpperCase() } : {}),
      });
      const r = await this.users.add({ email: input.email, role: input.role, trustCode: input.trust }, req.principal!.id);
      await this.show(res, {
        notice: `${r.user.email} added as ${r.user.role === 'trust' ? `a trust user of ${r.user.trustCode}` : `a ${r.user.role} user`}`,
        handOver: { email: r.user.email, password: r.oneTimePassword },
      });
    } catch (error) {
      const errors = formErrors(error, fieldsNamed('email', 'role', 'trust'), USER_SENTENCES, 'email');
      if (errors.byField.trust) {
        const sentence = trustSentence(error instanceof Error ? error.message : '');
        errors.byField.trust = sentence;
        errors.summary.filter((s) => s.href === '#trust').forEach((s) => { s.text = sentence; });
      }
      await this.show(res, { errors, values }, 400);
    }
  }

  /** Disabling cannot be undone from the pages: asked once more, naming the person. */
  @Get(':email/disable')
  async confirmDisable(@Param('email') email: string, @Res() res: Response) {
    const user = await this.users.byEmail(email);
    this.pages.render(res, 'coordinator-user-disable.njk', { title: `Disable ${user.email}`, person: user });
  }

  @Post(':email/disable')
  @Audited('user.disable')
  async disable(@Param('email') email: string, @Res() res: Response) {
    try {
      const user = await this.users.disable(email);
      res.redirect(303, `/coordinator/users?done=${encodeURIComponent(`${user.email} is disabled: their sessions have ended and their API tokens no longer work`)}`);
    } catch (error) {
      await this.show(res, { errors: formErrors(error, () => undefined, {}, 'users') }, 404);
    }
  }

  @Post(':email/reset-password')
  @Audited('user.reset-password')
  async resetPassword(@Param('email') email: string, @Res() res: Response) {
    try {
      const r = await this.users.resetPassword(email);
      await this.show(res, {
        notice: `${r.user.email} has a new one-time password; they choose their own at the next sign-in`,
        handOver: { email: r.user.email, password: r.oneTimePassword },
      });
    } catch (error) {
      await this.show(res, { errors: formErrors(error, () => undefined, {}, 'users') }, 404);
    }
  }

  private async show(res: Response, context: { notice?: string; errors?: ReturnType<typeof fieldErrors>; values?: Record<string, string>; handOver?: object }, status = 200) {
    const [users, trusts] = await Promise.all([this.users.list(), this.trusts.list()]);
    this.pages.render(res, 'coordinator-users.njk', {
      title: 'Users', width: 'full', values: { role: 'trust' }, ...context, trusts,
      users: users.map((u) => ({ ...u, added: longDate(u.createdAt) })),
    }, status);
  }
}
