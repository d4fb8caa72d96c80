import { command } from '../cli/cli-command';
import { validateInput } from '../infra/http/validate-input';
import { AddUserDto } from './dto/users.dto';
import { UsersService } from './users.service';

export const userAdd = command({
  name: 'user:add',
  summary: 'Add a user (coordinator, trust or helpline) and print their one-time password',
  options: {
    email: { type: 'string', required: true, description: "the person's work e-mail address" },
    role: { type: 'string', required: true, description: 'coordinator, trust or helpline' },
    trust: { type: 'string', description: 'trust users: the ODS code of their trust' },
  },
  async run({ app, options }) {
    const input = validateInput(AddUserDto, Object.fromEntries(Object.entries(options).filter(([k, v]) => v !== undefined && ['email', 'role', 'trust'].includes(k))));
    const r = await app.get(UsersService).add({ email: input.email, role: input.role, trustCode: input.trust }, 'cli');
    return {
      json: r,
      text: `${r.user.email} (${r.user.role}${r.user.trustCode ? `, ${r.user.trustCode}` : ''}) added.\n`
        + `One-time password: ${r.oneTimePassword}\nHand it over in person or by phone; it must be changed at first sign-in.`,
    };
  },
});

export const userList = command({
  name: 'user:list',
  summary: 'List users',
  options: {},
  async run({ app }) {
    const users = await app.get(UsersService).list();
    return { json: { users }, text: users.map((u) => `${u.email}  ${u.role}${u.trustCode ? ` ${u.trustCode}` : ''}${u.disabled ? '  (disabled)' : ''}`).join('\n') || 'No users.' };
  },
});

export const userDisable = command({
  name: 'user:disable',
  summary: "Disable a user: their sessions end and their API tokens stop working",
  options: { email: { type: 'string', required: true, description: "the user's e-mail address" } },
  async run({ app, options }) {
    const user = await app.get(UsersService).disable(options.email);
    return { json: user, text: `${user.email} is disabled.` };
  },
});

export const userResetPassword = command({
  name: 'user:reset-password',
  summary: 'Give a user a new one-time password (their sessions end; they choose a new password at sign-in)',
  options: { email: { type: 'string', required: true, description: "the user's e-mail address" } },
  async run({ app, options }) {
    const r = await app.get(UsersService).resetPassword(options.email);
    return {
      json: r,
      text: `${r.user.email}: new one-time password ${r.oneTimePassword}\nHand it over in person or by phone; it must be changed at the next sign-in.`,
    };
  },
});

export const userToken = command({
  name: 'user:token',
  summary: "Create a personal API token for a user's scripts (printed once)",
  options: {
    email: { type: 'string', required: true, description: "the user's e-mail address" },
    name: { type: 'string', required: true, description: 'what the token is for, e.g. "nightly upload"' },
  },
  async run({ app, options }) {
    const users = app.get(UsersService);
    const user = await users.byEmail(options.email);
    const token = await users.createToken(user.id, options.name);
    return { json: token, text: `Token "${token.name}" for ${user.email}: ${token.token}\nIt is shown only now; send it as "Authorization: Bearer <token>".` };
  },
});
