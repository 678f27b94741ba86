import { DeciderSpecification } from '../testing/decider-spec';
import { NOW, OCCURRED_AT } from '../testing/fixtures';
import type { ReserveOrganizationName } from './commands';
import { organizationNameDecider } from './decider';
import type { OrganizationNameReserved } from './events';
import { organizationNameKey } from './key';

const given = DeciderSpecification.for(organizationNameDecider);
const FIRST = '0a000000-0000-4000-8000-000000000002';
const SECOND = '0a000000-0000-4000-8000-000000000009';

const reserve = (organizationId: string, name: string, country = 'FR'): ReserveOrganizationName => ({
  type: 'ReserveOrganizationName',
  data: { key: organizationNameKey(country, name), organizationId, name, country },
  metadata: { now: NOW },
});

const reserved: OrganizationNameReserved = {
  type: 'OrganizationNameReserved',
  data: {
    key: 'fr:pôle mer méditerranée',
    organizationId: FIRST,
    name: 'Pôle Mer Méditerranée',
    country: 'FR',
    occurredAt: OCCURRED_AT,
  },
};

describe('organizationNameKey', () => {
  it('ignores case, surrounding and repeated spaces and Unicode composition', () => {
    const decomposed = 'Po\u0302le  Mer   Me\u0301diterrane\u0301e ';
    expect(organizationNameKey('FR', decomposed)).toBe('fr:pôle mer méditerranée');
    expect(organizationNameKey('FR', ' PÔLE MER MÉDITERRANÉE')).toBe('fr:pôle mer méditerranée');
  });

  it('keeps the same name apart in different countries', () => {
    expect(organizationNameKey('US', 'Biocom')).not.toBe(organizationNameKey('FR', 'Biocom'));
  });
});

describe('ReserveOrganizationName', () => {
  it('reserves a free name for the organisation', () => {
    given([]).when(reserve(FIRST, 'Pôle Mer Méditerranée')).then([reserved]);
  });

  it('changes nothing when the same organisation reserves its name again (a retried registration)', () => {
    given([reserved]).when(reserve(FIRST, 'Pôle Mer Méditerranée')).thenNothingHappened();
  });

  it('refuses the name, in any spelling, to another organisation of the same country', () => {
    given([reserved])
      .when(reserve(SECOND, 'PÔLE MER  méditerranée'))
      .thenThrows('organization.name_taken', { organizationId: FIRST });
  });

  it('refuses a key that does not match the name and country', () => {
    given([])
      .when({
        ...reserve(FIRST, 'Pôle Mer Méditerranée'),
        data: { ...reserve(FIRST, 'Pôle Mer Méditerranée').data, key: 'fr:other' },
      })
      .thenThrows('organization.name_key_mismatch');
  });
});
