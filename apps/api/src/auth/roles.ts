import { applyDecorators, SetMetadata } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';

export const ROLES = ['admin', 'officer', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLES_KEY = 'passerelle:roles';
export const PUBLIC_KEY = 'passerelle:public';

/** Who may call a route. `admin` may call every route, so it is never listed. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** A route anyone may call without a token (health, docs); OpenAPI says so with `security: []`. */
export const Public = () =>
  applyDecorators(SetMetadata(PUBLIC_KEY, true), SetMetadata(DECORATORS.API_SECURITY, []));

/** The role sets the spec gives, named once. */
export const CAN_COMMAND: Role[] = ['officer'];
export const CAN_READ: Role[] = ['officer', 'auditor', 'viewer'];
export const CAN_READ_HISTORY: Role[] = ['officer', 'auditor'];
export const CAN_AUDIT: Role[] = ['auditor'];
