import { SetMetadata } from '@nestjs/common';
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
/** A route anyone may call without a token (health, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
