import type { ActorRecord } from '@passerelle/event-store';

/**
 * Who sends a command or reads: a verified token's subject, name, roles and organisation. The log
 * records it in each event's metadata as it is.
 */
export type Actor = ActorRecord;

export const ROLES = ['admin', 'officer', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** The role sets the spec gives, named once. `admin` has every role, so it is never listed. */
export const CAN_COMMAND: Role[] = ['officer'];
export const CAN_READ: Role[] = ['officer', 'auditor', 'viewer'];
export const CAN_READ_HISTORY: Role[] = ['officer', 'auditor'];
export const CAN_AUDIT: Role[] = ['auditor'];

/** The role check, written once: the actor is an admin or holds one of `allowed`. */
export function hasOneOf(actor: Pick<Actor, 'roles'>, allowed: readonly Role[]): boolean {
  const held: readonly string[] = actor.roles;
  return held.includes('admin') || allowed.some((role) => held.includes(role));
}
