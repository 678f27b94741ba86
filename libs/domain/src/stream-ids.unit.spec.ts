import fc from 'fast-check';
import { organizationNameKey } from './organization-name/key';
import {
  categoryOf,
  idInStream,
  isNotificationsStream,
  isOrganizationStream,
  isPartnershipStream,
  isStreamOf,
  STREAM_CATEGORIES,
  StreamCategory,
  streamIdFor,
} from './stream-ids';

const namer: Record<StreamCategory, (id: string) => string> = {
  partnership: streamIdFor.partnership,
  organization: streamIdFor.organization,
  organization_name: streamIdFor.organizationName,
  person: streamIdFor.person,
  notifications: streamIdFor.notifications,
};

describe('stream names', () => {
  it('names each stream after its category', () => {
    expect(streamIdFor.partnership('p-1')).toBe('partnership-p-1');
    expect(streamIdFor.organization('o-1')).toBe('organization-o-1');
    expect(streamIdFor.organizationName(organizationNameKey('FR', 'Pôle Mer'))).toBe(
      'organization_name-fr:pôle mer',
    );
    expect(streamIdFor.person('ab12')).toBe('person-ab12');
    expect(streamIdFor.notifications('p-1')).toBe('notifications-p-1');
  });

  it('tells a name reservation from an organisation, though both names start with "organization"', () => {
    const reservation = streamIdFor.organizationName(organizationNameKey('US', 'Blue Tech'));
    expect(categoryOf(reservation)).toBe('organization_name');
    expect(isOrganizationStream(reservation)).toBe(false);
    expect(isOrganizationStream(streamIdFor.organization('0b7f-41'))).toBe(true);
  });

  it('takes the category before the first dash, so an id may hold dashes', () => {
    const id = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
    expect(categoryOf(streamIdFor.partnership(id))).toBe('partnership');
    expect(idInStream('partnership', streamIdFor.partnership(id))).toBe(id);
    expect(categoryOf('no_dash')).toBe('no_dash');
  });

  it('gives every stream exactly one category, and its id back', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STREAM_CATEGORIES), fc.string(), (category, id) => {
        const streamId = namer[category](id);
        expect(categoryOf(streamId)).toBe(category);
        expect(idInStream(category, streamId)).toBe(id);
        for (const other of STREAM_CATEGORIES) expect(isStreamOf(other, streamId)).toBe(other === category);
        expect(isPartnershipStream(streamId)).toBe(category === 'partnership');
        expect(isNotificationsStream(streamId)).toBe(category === 'notifications');
      }),
    );
  });

  it('finds no category in a stream name this domain does not give', () => {
    for (const streamId of [
      'partnership',
      'partnerships-1',
      'persons-1',
      'Partnership-1',
      '-partnership-1',
    ]) {
      expect(STREAM_CATEGORIES.some((category) => isStreamOf(category, streamId))).toBe(false);
    }
  });
});
