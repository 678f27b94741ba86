import type { Actor } from '@passerelle/event-store';

/**
 * The organisation an actor acts for, or null for everyone. A token that carries `org` acts for that
 * organisation; an officer without it is program staff (GO-Biz, French diplomacy); an admin acts for
 * everyone whatever the token says. The rule itself is the domain's `checkActingFor`.
 */
export function actingForOf(actor: Actor): string | null {
  if (actor.roles.includes('admin')) return null;
  return actor.org ?? null;
}
