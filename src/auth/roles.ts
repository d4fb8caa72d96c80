import { SetMetadata } from '@nestjs/common';

export const ROLES = ['coordinator', 'trust', 'helpline'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_KEY = 'fieldwork:roles';
export const PUBLIC_KEY = 'fieldwork:public';

/** The roles allowed on a route. A route without @Roles or @Public is refused to everybody. */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(ROLES_KEY, roles);

/** Declares a route open without login (health checks, the patient's own questionnaire). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Who is calling. Trust users carry their trust code so services can scope data. */
export interface Principal {
  id: string;
  role: Role;
  trustCode?: string;
}
