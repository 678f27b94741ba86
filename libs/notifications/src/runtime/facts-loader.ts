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
import { LruCache } from '@passerelle/privacy';
import type { OrganizationView, PartnershipFacts } from '../planning/facts';

export interface LoadedPartnership {
  facts: PartnershipFacts;
  /** Its events by id, upcast to the current schema. */
  events: ReadonlyMap<string, PartnershipEvent>;
}

export interface FactsCacheOptions {
  /** Keep folded partnerships (checked against their last revision on every use). */
  partnerships: number;
  /** Keep organisations this long: their contacts change rarely (a forgotten person reads as erased after it). */
  organizationTtlMs: number;
}

/**
 * Reads what notifications need straight from the log: no read model, so a rebuild changes nothing here.
 * The worker caches: every message of a meeting for fifty attendees would otherwise fold the same stream
 * fifty times. A cached partnership is used only while its stream has not grown.
 */
export class FactsLoader {
  private readonly partnerships?: LruCache<string, LoadedPartnership & { revision: number }>;
  private readonly organizationCache?: LruCache<string, OrganizationView | null>;

  constructor(
    private readonly store: EventStore,
    cache?: FactsCacheOptions,
  ) {
    if (cache) {
      this.partnerships = new LruCache(cache.partnerships, 10 * 60_000);
      this.organizationCache = new LruCache(cache.partnerships * 4, cache.organizationTtlMs);
    }
  }

  async partnership(partnershipId: string): Promise<LoadedPartnership | null> {
    const streamId = streamIdFor.partnership(partnershipId);
    const cached = this.partnerships?.get(partnershipId);
    if (cached) {
      const [last] = await this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      if (last?.revision === cached.revision) {
        const organizations = await this.organizations(cached.facts.partnership.parties);
        return { facts: { partnership: cached.facts.partnership, organizations }, events: cached.events };
      }
    }
    const recorded = await this.store.readStream(streamId);
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
    const loaded = { facts: { partnership, organizations }, events };
    this.partnerships?.set(partnershipId, { ...loaded, revision: recorded[recorded.length - 1]!.revision });
    return loaded;
  }

  async organizations(ids: readonly string[]): Promise<Map<string, OrganizationView>> {
    const found = await Promise.all([...new Set(ids)].map((id) => this.organization(id)));
    return new Map(found.filter((org): org is OrganizationView => org !== null).map((org) => [org.id, org]));
  }

  private async organization(organizationId: string): Promise<OrganizationView | null> {
    const cached = this.organizationCache?.get(organizationId);
    if (cached !== undefined) return cached;
    const view = await this.readOrganization(organizationId);
    this.organizationCache?.set(organizationId, view);
    return view;
  }

  private async readOrganization(organizationId: string): Promise<OrganizationView | null> {
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
