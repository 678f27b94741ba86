import type { DomainEvent } from '../shared/decider';
import type { Language, OrganizationKind, Sector } from '../shared/vocabulary';

export type Contact = {
  name: string;
  /** Trimmed and lower-cased. */
  email: string;
  role: string | null;
  language: Language;
};

export type OrganizationRegistered = DomainEvent<
  'OrganizationRegistered',
  {
    organizationId: string;
    name: string;
    kind: OrganizationKind;
    country: string;
    region: string;
    sectors: Sector[];
    website: string | null;
    contacts: Contact[];
    occurredAt: string;
  }
>;

export type OrganizationEvent = OrganizationRegistered;

/** Schema version written with each new event of this aggregate. */
export const ORGANIZATION_EVENT_VERSIONS = {
  OrganizationRegistered: 1,
} as const satisfies Record<OrganizationEvent['type'], number>;
