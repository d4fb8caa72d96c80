import { SetMetadata } from '@nestjs/common';

export const ROLES = ['coordinator', 'trust', 'helpline'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_KEY = 'fieldwork:roles';
export const PUBLIC_KEY = 'fieldwork:public';

/** The roles allowed on a route. A route without @Roles or @Public is refused to everybody. */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(ROLES_KEY, roles);

export const ALLOW_PASSWORD_CHANGE_KEY = 'fieldwork:allow-password-change';

/** Open to a user who signed in with a one-time password and must replace it (the password routes). */
export const AllowBeforePasswordChange = () => SetMetadata(ALLOW_PASSWORD_CHANGE_KEY, true);

/** Declares a route open without login (health checks, the patient's own questionnaire). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Who is calling. Trust users carry their trust code so services can scope data. */
export interface Principal {
  /** Who, as the audit log records it: a user's e-mail, "operator" or "cli". */
  id: string;
  /** The account behind a signed-in user or API token. */
  userId?: string;
  role: Role;
  trustCode?: string;
  /** Signed in with a one-time password: only changing it is allowed. */
  mustChangePassword?: boolean;
}
