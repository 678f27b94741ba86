import { ignoreUnknown } from '../shared/decider';
import type { OrganizationFacts } from '../shared/metadata';
import type { OrganizationKind, Sector } from '../shared/vocabulary';
import type { Contact, OrganizationEvent } from './events';

export type Organization = {
  status: 'registered';
  id: string;
  name: string;
  kind: OrganizationKind;
  country: string;
  region: string;
  sectors: Sector[];
  website: string | null;
  contacts: Contact[];
  registeredAt: string;
};

export type OrganizationState = { status: 'unregistered' } | Organization;

export const initialOrganizationState = (): OrganizationState => ({ status: 'unregistered' });

export const evolveOrganization = (state: OrganizationState, event: OrganizationEvent): OrganizationState => {
  switch (event.type) {
    case 'OrganizationRegistered': {
      const { organizationId, occurredAt, ...rest } = event.data;
      return { status: 'registered', id: organizationId, ...rest, registeredAt: occurredAt };
    }
    default:
      ignoreUnknown(event.type);
      return state;
  }
};

/** The facts a partnership decision needs about a registered organisation. */
export const organizationFacts = (organization: Organization): OrganizationFacts => ({
  id: organization.id,
  name: organization.name,
  kind: organization.kind,
  country: organization.country,
  contacts: organization.contacts.map(({ email, name, language }) => ({ email, name, language })),
});
