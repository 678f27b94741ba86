import { evolveOrganization, initialOrganizationState, type Organization } from './organization/state';
import type { OrganizationRegistered } from './organization/events';
import { partnershipDecider } from './partnership/decider';
import type { PartnershipEvent } from './partnership/events';
import type { Partnership, PartnershipState } from './partnership/state';
import {
  mapOrganizationPersonalData,
  mapPartnershipPersonalData,
  mapPersonalData,
  personalValuesOf,
} from './personal-data';
import { IHUB, lifecycleCommands } from './testing/fixtures';

/** What a sealed value looks like here: recognisable, and unlike any value the events carry in clear. */
const seal = (value: string) => `sealed(${value})`;
const isSealed = (value: string) => /^sealed\(.*\)$/.test(value);

/** Every string of a JSON document. */
const stringsOf = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.flatMap(stringsOf)
      : typeof value === 'object' && value !== null
        ? Object.values(value).flatMap(stringsOf)
        : [];

describe('personal data in folded states (what read models keep sealed)', () => {
  it('finds in a partnership exactly the personal values its events carried, and maps them all', () => {
    let state: PartnershipState = partnershipDecider.initialState();
    const sealedEvents: PartnershipEvent[] = [];
    for (const command of lifecycleCommands()) {
      const produced = partnershipDecider.decide(command, state);
      state = produced.reduce(partnershipDecider.evolve, state);
      // The read models fold the events as stored: their personal fields sealed.
      sealedEvents.push(
        ...produced.map(
          (event) => ({ ...event, data: mapPersonalData(event.type, event.data, seal) }) as never,
        ),
      );
    }
    const folded = sealedEvents.reduce(
      partnershipDecider.evolve,
      partnershipDecider.initialState(),
    ) as Partnership;

    const found = personalValuesOf((map) => mapPartnershipPersonalData(folded, map));
    expect(found.length).toBeGreaterThan(0);
    // Every sealed value of the state is found (nothing personal left unopened), and only those.
    expect(found.sort()).toEqual(stringsOf(folded).filter(isSealed).sort());
    const opened = mapPartnershipPersonalData(folded, (value) => value.slice('sealed('.length, -1));
    expect(opened).toEqual(state);
    expect(stringsOf(opened).filter(isSealed)).toEqual([]);
  });

  it("finds an organisation's contacts' names and addresses, and leaves the rest as it is", () => {
    const event: OrganizationRegistered = {
      type: 'OrganizationRegistered',
      data: {
        organizationId: IHUB.id,
        name: IHUB.name,
        kind: IHUB.kind,
        country: IHUB.country,
        region: 'California',
        sectors: ['blue_economy'],
        website: null,
        contacts: [{ name: 'Ana Diaz', email: 'ana@ihub.example.org', role: 'Director', language: 'en' }],
        occurredAt: '2025-03-10T09:00:00.000Z',
      },
    } as OrganizationRegistered;
    const sealed = {
      ...event,
      data: mapPersonalData(event.type, event.data, seal),
    } as OrganizationRegistered;
    const organization = evolveOrganization(initialOrganizationState(), sealed) as Organization;
    expect(personalValuesOf((map) => mapOrganizationPersonalData(organization, map)).sort()).toEqual([
      'sealed(Ana Diaz)',
      'sealed(ana@ihub.example.org)',
    ]);
    expect(mapOrganizationPersonalData(organization, (value) => value.slice('sealed('.length, -1))).toEqual(
      evolveOrganization(initialOrganizationState(), event),
    );
  });
});
