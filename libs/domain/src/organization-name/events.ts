import type { DomainEvent } from '../shared/decider';

export type OrganizationNameReserved = DomainEvent<
  'OrganizationNameReserved',
  { key: string; organizationId: string; name: string; country: string; occurredAt: string }
>;

export type OrganizationNameEvent = OrganizationNameReserved;

export const ORGANIZATION_NAME_EVENT_VERSIONS = {
  OrganizationNameReserved: 1,
} as const satisfies Record<OrganizationNameEvent['type'], number>;
