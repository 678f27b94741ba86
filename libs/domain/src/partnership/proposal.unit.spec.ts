import { DeciderSpecification } from '../testing/decider-spec';
import {
  command,
  FR_COMPANY,
  GOBIZ,
  IHUB,
  PARTIES,
  POLE,
  PROPOSED_ON,
  proposed,
  REGION,
  US_COMPANY,
} from '../testing/fixtures';
import { partnershipDecider } from './decider';

const given = DeciderSpecification.for(partnershipDecider);

const propose = (overrides: Partial<Parameters<typeof command<'ProposePartnership'>>[1]> = {}) =>
  command('ProposePartnership', {
    title: ' Blue economy   bridge ',
    parties: PARTIES,
    sectors: ['blue_economy'],
    axes: ['technology_transfer', 'business_development'],
    on: PROPOSED_ON,
    ...overrides,
  });

describe('ProposePartnership', () => {
  it('proposes a partnership between registered Californian and French parties', () => {
    given([]).when(propose()).then([proposed()]);
  });

  it('keeps a description and drops repeated parties, sectors and axes', () => {
    const [event] = partnershipDecider.decide(
      propose({
        description: 'Ports and underwater robotics',
        parties: [IHUB.id, POLE.id, IHUB.id],
        sectors: ['blue_economy', 'blue_economy'],
        axes: ['investment', 'investment'],
      }),
      partnershipDecider.initialState(),
    );
    expect(event.data).toMatchObject({
      description: 'Ports and underwater robotics',
      parties: [IHUB.id, POLE.id],
      sectors: ['blue_economy'],
      axes: ['investment'],
    });
  });

  it('refuses to propose the same partnership twice', () => {
    given([proposed()]).when(propose()).thenThrows('partnership.already_exists');
  });

  it('refuses a partnership without a French party', () => {
    given([])
      .when(propose({ parties: [IHUB.id, GOBIZ.id, US_COMPANY.id] }))
      .thenThrows('partnership.sides_required');
  });

  it('refuses a partnership without a Californian party', () => {
    given([])
      .when(propose({ parties: [POLE.id, REGION.id, FR_COMPANY.id] }))
      .thenThrows('partnership.sides_required');
  });

  it('refuses a party that is not registered', () => {
    const unknown = '0a000000-0000-4000-8000-0000000000ff';
    given([])
      .when(propose({ parties: [IHUB.id, POLE.id, unknown] }))
      .thenThrows('organization.not_found', { organizationId: unknown });
  });

  it('requires a title, at least one sector and at least one axis from the vocabularies', () => {
    given([])
      .when(propose({ title: ' ' }))
      .thenThrows('validation.required', { field: 'title' });
    given([])
      .when(propose({ sectors: [] }))
      .thenThrows('validation.required', { field: 'sectors' });
    given([])
      .when(propose({ sectors: ['fintech'] }))
      .thenThrows('validation.unknown_sector');
    given([])
      .when(propose({ axes: [] }))
      .thenThrows('validation.required', { field: 'axes' });
    given([])
      .when(propose({ axes: ['tourism'] }))
      .thenThrows('validation.unknown_axis');
    given([])
      .when(propose({ parties: [] }))
      .thenThrows('validation.required', { field: 'parties' });
  });
});

describe('a partnership that was never proposed', () => {
  it('refuses every other command as not found', () => {
    given([])
      .when(command('SuspendPartnership', { reason: 'Budget freeze' }))
      .thenThrows('partnership.not_found');
  });
});
