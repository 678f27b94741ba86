import { Inject, Injectable } from '@nestjs/common';
import {
  organizationDecider,
  OrganizationEvent,
  OrganizationFacts,
  OrganizationFactsNeed,
  organizationFacts,
  streamIdFor,
} from '@passerelle/domain';
import { AggregateStreams } from './aggregate-streams';

/** How many organisations' unchanging facts are kept; past that the cache starts afresh. */
const CACHE_LIMIT = 10_000;

/**
 * An organisation's stream holds its registration and nothing else (a second registration is refused),
 * so its facts are those of revision 0, and the store (CachedStreams) answers a read up to revision 0 it
 * has made once from memory, sealed: contacts are still opened with the keys of the moment. A second
 * event type stops this compiling: its facts would have to be read to the end of the stream.
 */
const REGISTRATION_ONLY: OrganizationEvent['type'] extends 'OrganizationRegistered' ? 0 : never = 0;

/**
 * Facts about organisations that partnership rules need, folded from their streams. An organisation's
 * id, name, kind and country never change once registered, so they are kept after the first load;
 * contacts are personal data that "forget this person" erases, so they are always opened again (from
 * the registration as stored, kept by the store: see REGISTRATION_ONLY).
 * An organisation not found is not remembered: it may be registered a moment later.
 */
@Injectable()
export class OrganizationDirectory {
  private readonly unchanging = new Map<string, OrganizationFacts>();

  constructor(@Inject(AggregateStreams) private readonly streams: AggregateStreams) {}

  async factsFor(need: OrganizationFactsNeed): Promise<Record<string, OrganizationFacts>> {
    const facts: Record<string, OrganizationFacts> = {};
    await Promise.all(
      [...new Set(need.ids)].map(async (id) => {
        const known = need.contacts ? undefined : this.unchanging.get(id);
        const org = known ?? (await this.load(id));
        if (org) facts[id] = org;
      }),
    );
    return facts;
  }

  private async load(id: string): Promise<OrganizationFacts | undefined> {
    const { state } = await this.streams.load(streamIdFor.organization(id), organizationDecider, {
      toRevision: REGISTRATION_ONLY,
    });
    const org = state.status === 'registered' ? organizationFacts(state) : undefined;
    if (org) {
      if (this.unchanging.size >= CACHE_LIMIT) this.unchanging.clear();
      this.unchanging.set(id, { ...org, contacts: [] });
    }
    return org;
  }
}
