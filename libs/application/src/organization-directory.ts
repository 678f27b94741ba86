import { Inject, Injectable } from '@nestjs/common';
import {
  organizationDecider,
  OrganizationFacts,
  OrganizationFactsNeed,
  organizationFacts,
  streamIdFor,
} from '@passerelle/domain';
import { CommandExecutor } from './command-executor';

/** How many organisations' unchanging facts are kept; past that the cache starts afresh. */
const CACHE_LIMIT = 10_000;

/**
 * Facts about organisations that partnership rules need, folded from their streams. An organisation's
 * id, name, kind and country never change once registered, so they are kept after the first load;
 * contacts are personal data that "forget this person" erases, so they are always read from the log.
 * An organisation not found is not remembered: it may be registered a moment later.
 */
@Injectable()
export class OrganizationDirectory {
  private readonly unchanging = new Map<string, OrganizationFacts>();

  constructor(@Inject(CommandExecutor) private readonly executor: CommandExecutor) {}

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
    const { state } = await this.executor.load(streamIdFor.organization(id), organizationDecider);
    const org = state.status === 'registered' ? organizationFacts(state) : undefined;
    if (org) {
      if (this.unchanging.size >= CACHE_LIMIT) this.unchanging.clear();
      this.unchanging.set(id, { ...org, contacts: [] });
    }
    return org;
  }
}
