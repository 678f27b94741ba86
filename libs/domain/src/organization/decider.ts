import type { Decider } from '../shared/decider';
import type { OrganizationCommand } from './commands';
import { decideOrganization } from './decide';
import type { OrganizationEvent } from './events';
import { evolveOrganization, initialOrganizationState, OrganizationState } from './state';

export const organizationDecider: Decider<OrganizationCommand, OrganizationEvent, OrganizationState> = {
  decide: decideOrganization,
  evolve: evolveOrganization,
  initialState: initialOrganizationState,
};
