import * as domain from './index';

describe('the domain package', () => {
  it('names streams by aggregate', () => {
    expect(domain.streamIdFor.partnership('p-1')).toBe('partnership-p-1');
    expect(domain.streamIdFor.organization('o-1')).toBe('organization-o-1');
    expect(domain.streamIdFor.organizationName(domain.organizationNameKey('FR', 'Pôle Mer'))).toBe(
      'organization_name-fr:pôle mer',
    );
  });

  it('exports the deciders, vocabularies, errors and upcaster the application uses', () => {
    expect(Object.keys(domain)).toEqual(
      expect.arrayContaining([
        'partnershipDecider',
        'organizationDecider',
        'organizationNameDecider',
        'SECTORS',
        'AXES',
        'ORGANIZATION_KINDS',
        'STAGES',
        'DomainError',
        'upcast',
        'currentEventVersions',
        'currentVersionOf',
      ]),
    );
    expect(domain.STAGES).toEqual([
      'proposed',
      'introduced',
      'agreement_signed',
      'project_active',
      'mou_signed',
    ]);
    expect(domain.SECTORS).toHaveLength(12);
    expect(domain.AXES).toHaveLength(6);
    expect(domain.ORGANIZATION_KINDS).toHaveLength(9);
  });
});
