import type { Decider } from '../shared/decider';
import type { PartnershipCommand } from './commands';
import { decidePartnership } from './decide';
import type { PartnershipEvent } from './events';
import { evolvePartnership } from './evolve';
import { initialPartnershipState, PartnershipState } from './state';

export const partnershipDecider: Decider<PartnershipCommand, PartnershipEvent, PartnershipState> = {
  decide: decidePartnership,
  evolve: evolvePartnership,
  initialState: initialPartnershipState,
};
