import {
  evolveOrganization,
  evolvePartnership,
  initialOrganizationState,
  initialPartnershipState,
  isDomainEventType,
  OrganizationEvent,
  Partnership,
  PartnershipEvent,
  PartnershipState,
  streamIdFor,
  upcast,
} from '@passerelle/domain';
import type { EventStore } from '@passerelle/event-store';
import type { OrganizationView, PartnershipFacts } from '../planning/facts';

export interface LoadedPartnership {
  facts: PartnershipFacts;
  /** Its events by id, upcast to the current schema. */
  events: ReadonlyMap<string, PartnershipEvent>;
}

/** Reads what notifications need straight from the log: no read model, so a rebuild changes nothing here. */
export class FactsLoader {
  constructor(private readonly store: EventStore) {}

  async partnership(partnershipId: string): Promise<LoadedPartnership | null> {
    const recorded = await this.store.readStream(streamIdFor.partnership(partnershipId));
    let state: PartnershipState = initialPartnershipState();
    const events = new Map<string, PartnershipEvent>();
    for (const stored of recorded) {
      if (!isDomainEventType(stored.type)) continue;
      const event = upcast(stored) as unknown as PartnershipEvent;
      state = evolvePartnership(state, event);
      events.set(stored.id, event);
    }
    if (state.status === 'none') return null;
    const partnership = state as Partnership;
    const organizations = await this.organizations(partnership.parties);
    return { facts: { partnership, organizations }, events };
  }

  async organizations(ids: readonly string[]): Promise<Map<string, OrganizationView>> {
    const found = await Promise.all([...new Set(ids)].map((id) => this.organization(id)));
    return new Map(found.filter((org): org is OrganizationView => org !== null).map((org) => [org.id, org]));
  }

  private async organization(organizationId: string): Promise<OrganizationView | null> {
    const recorded = await this.store.readStream(streamIdFor.organization(organizationId));
    let state = initialOrganizationState();
    for (const stored of recorded) {
      if (!isDomainEventType(stored.type)) continue;
      state = evolveOrganization(state, upcast(stored) as unknown as OrganizationEvent);
    }
    if (state.status !== 'registered') return null;
    return {
      id: state.id,
      name: state.name,
      contacts: state.contacts.map(({ email, name, language }) => ({ email, name, language })),
    };
  }
}
