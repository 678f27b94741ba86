import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-spec';
import { NOW, OCCURRED_AT } from '../testing/fixtures';
import type { RegisterOrganization } from './commands';
import { organizationDecider } from './decider';
import type { OrganizationRegistered } from './events';
import { organizationFacts, type Organization } from './state';

const given = DeciderSpecification.for(organizationDecider);
const ORGANIZATION_ID = '0a000000-0000-4000-8000-000000000002';

const register = (data: Partial<RegisterOrganization['data']> = {}): RegisterOrganization => ({
  type: 'RegisterOrganization',
  data: {
    id: ORGANIZATION_ID,
    name: '  Pôle   Mer Méditerranée ',
    kind: 'pole',
    country: 'FR',
    region: "Provence-Alpes-Côte d'Azur",
    sectors: ['blue_economy', 'aerospace', 'blue_economy'],
    website: 'https://www.polemermediterranee.com',
    contacts: [
      { name: 'Bruno Martin', email: ' Bruno@PoleMer.example.fr ', role: 'International', language: 'fr' },
    ],
    ...data,
  },
  metadata: { now: NOW },
});

const registered: OrganizationRegistered = {
  type: 'OrganizationRegistered',
  data: {
    organizationId: ORGANIZATION_ID,
    name: 'Pôle Mer Méditerranée',
    kind: 'pole',
    country: 'FR',
    region: "Provence-Alpes-Côte d'Azur",
    sectors: ['blue_economy', 'aerospace'],
    website: 'https://www.polemermediterranee.com',
    contacts: [
      { name: 'Bruno Martin', email: 'bruno@polemer.example.fr', role: 'International', language: 'fr' },
    ],
    occurredAt: OCCURRED_AT,
  },
};

describe('RegisterOrganization', () => {
  it('registers an organisation, with its name, e-mails and sectors normalised', () => {
    given([]).when(register()).then([registered]);
  });

  it('records an absent website and contact role as null', () => {
    const [event] = organizationDecider.decide(
      register({
        website: undefined,
        contacts: [{ name: 'Bruno Martin', email: 'bruno@polemer.example.fr', language: 'fr' }],
      }),
      organizationDecider.initialState(),
    );
    expect(event.data.website).toBeNull();
    expect(event.data.contacts[0].role).toBeNull();
  });

  it('refuses to register the same organisation twice', () => {
    given([registered]).when(register()).thenThrows('organization.already_registered');
  });

  it('refuses an unknown kind', () => {
    given([])
      .when(register({ kind: 'university' }))
      .thenThrows('organization.invalid_kind');
  });

  it('refuses a country that is not two upper-case letters', () => {
    given([])
      .when(register({ country: 'France' }))
      .thenThrows('organization.invalid_country');
    given([])
      .when(register({ country: 'fr' }))
      .thenThrows('organization.invalid_country');
  });

  it('refuses a sector outside the vocabulary', () => {
    given([])
      .when(register({ sectors: ['fintech'] }))
      .thenThrows('validation.unknown_sector', { sector: 'fintech' });
  });

  it('accepts a cross-sector organisation (a region) with no sector', () => {
    const [event] = organizationDecider.decide(register({ sectors: [] }), organizationDecider.initialState());
    expect(event.data.sectors).toEqual([]);
  });

  it('refuses an organisation without a contact', () => {
    given([])
      .when(register({ contacts: [] }))
      .thenThrows('organization.contact_required');
  });

  it('refuses the same contact e-mail twice, whatever its case', () => {
    given([])
      .when(
        register({
          contacts: [
            { name: 'Bruno Martin', email: 'bruno@polemer.example.fr', language: 'fr' },
            { name: 'B. Martin', email: 'BRUNO@polemer.example.fr', language: 'en' },
          ],
        }),
      )
      .thenThrows('organization.duplicate_contact_email', { email: 'bruno@polemer.example.fr' });
  });

  it('refuses a contact language other than en or fr', () => {
    given([])
      .when(
        register({ contacts: [{ name: 'Bruno Martin', email: 'bruno@polemer.example.fr', language: 'de' }] }),
      )
      .thenThrows('organization.invalid_language');
  });

  it('refuses a malformed contact e-mail', () => {
    given([])
      .when(
        register({ contacts: [{ name: 'Bruno Martin', email: 'bruno.polemer.example.fr', language: 'fr' }] }),
      )
      .thenThrows('validation.invalid_email', { field: 'contacts[0].email' });
  });

  it('refuses a blank name and a website that is not http(s)', () => {
    given([])
      .when(register({ name: '   ' }))
      .thenThrows('validation.required', { field: 'name' });
    given([])
      .when(register({ website: 'ftp://polemer.example.fr' }))
      .thenThrows('validation.invalid_url');
  });
});

describe('organisation state', () => {
  it('folds the registration into the organisation and the facts partnership rules need', () => {
    const state = fold(organizationDecider, [registered]) as Organization;
    expect(state).toMatchObject({ status: 'registered', id: ORGANIZATION_ID, registeredAt: OCCURRED_AT });
    expect(organizationFacts(state)).toStrictEqual({
      id: ORGANIZATION_ID,
      name: 'Pôle Mer Méditerranée',
      kind: 'pole',
      country: 'FR',
      contacts: [{ email: 'bruno@polemer.example.fr', name: 'Bruno Martin', language: 'fr' }],
    });
  });
});
