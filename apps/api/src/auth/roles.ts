import { applyDecorators, SetMetadata } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import type { Role } from '@passerelle/application';

export {
  CAN_AUDIT,
  CAN_COMMAND,
  CAN_READ,
  CAN_READ_HISTORY,
  ROLES,
  type Role,
} from '@passerelle/application';

export const ROLES_KEY = 'passerelle:roles';
export const PUBLIC_KEY = 'passerelle:public';

/** Who may call a route. `admin` may call every route, so it is never listed. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** A route anyone may call without a token (health, docs); OpenAPI says so with `security: []`. */
export const Public = () =>
  applyDecorators(SetMetadata(PUBLIC_KEY, true), SetMetadata(DECORATORS.API_SECURITY, []));
