import { Inject, Injectable } from '@nestjs/common';
import { organizationDecider, OrganizationFacts, streamIdFor } from '@passerelle/domain';
import { CommandExecutor } from './command-executor';

/** Facts about organisations that partnership rules need (country, kind, contacts), folded from their streams. */
@Injectable()
export class OrganizationDirectory {
  constructor(@Inject(CommandExecutor) private readonly executor: CommandExecutor) {}

  async factsFor(ids: Iterable<string>): Promise<Record<string, OrganizationFacts>> {
    const facts: Record<string, OrganizationFacts> = {};
    await Promise.all(
      [...new Set(ids)].map(async (id) => {
        const { state, revision } = await this.executor.load(
          streamIdFor.organization(id),
          organizationDecider,
        );
        const org = toFacts(state);
        if (revision >= 0 && org) facts[id] = org;
      }),
    );
    return facts;
  }
}

function toFacts(state: unknown): OrganizationFacts | undefined {
  const org = state as Partial<OrganizationFacts> | null;
  if (!org || !org.id) return undefined;
  return {
    id: org.id,
    name: org.name!,
    kind: org.kind!,
    country: org.country!,
    contacts: (org.contacts ?? []).map((c) => ({ email: c.email, name: c.name, language: c.language })),
  };
}
