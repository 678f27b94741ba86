import { currentEventVersions, currentVersionOf } from './event-versions';
import {
  ERASED,
  mapPersonalData,
  personalDataRulesFor,
  personalFieldOwners,
  subjectText,
} from './personal-data';
import { personStreamId } from './person/events';

const tag = (value: string, field: string) => `<${field}:${value}>`;

describe('personal data in events', () => {
  it('names the contacts, attendees and signers, and nothing in the other events', () => {
    const withPersonalData = Object.keys(currentEventVersions())
      .filter((type) => personalDataRulesFor(type).length > 0)
      .sort();
    expect(withPersonalData).toEqual([
      'AgreementSigned',
      'IntroductionMeetingCancelled',
      'IntroductionMeetingHeld',
      'IntroductionMeetingRescheduled',
      'IntroductionMeetingScheduled',
      'MouSigned',
      'OrganizationRegistered',
    ]);
    expect(personalDataRulesFor('SomethingElse')).toEqual([]);
  });

  it("maps each contact's name and address, owned by that address, and leaves the rest alone", () => {
    const data = {
      organizationId: 'o-1',
      name: 'Pôle Mer',
      contacts: [
        { name: 'Bruno Martin', email: 'bruno@polemer.example.fr', role: 'Director', language: 'fr' },
        { name: 'Alice', email: 'alice@example.org', role: null, language: 'en' },
      ],
    };
    const mapped = mapPersonalData('OrganizationRegistered', data, tag);
    expect(mapped).toEqual({
      organizationId: 'o-1',
      name: 'Pôle Mer',
      contacts: [
        {
          name: '<name:Bruno Martin>',
          email: '<email:bruno@polemer.example.fr>',
          role: 'Director',
          language: 'fr',
        },
        { name: '<name:Alice>', email: '<email:alice@example.org>', role: null, language: 'en' },
      ],
    });
    expect(data.contacts[0]!.name).toBe('Bruno Martin');
    expect(personalFieldOwners('OrganizationRegistered', data)).toEqual([
      { kind: 'email', value: 'bruno@polemer.example.fr' },
      { kind: 'email', value: 'bruno@polemer.example.fr' },
      { kind: 'email', value: 'alice@example.org' },
      { kind: 'email', value: 'alice@example.org' },
    ]);
  });

  it('maps attendees of every meeting event, leaving a null name null', () => {
    const attendees = [
      { email: 'alice@example.org', name: 'Alice', language: 'en', organizationId: 'o-1' },
      { email: 'observer@example.fr', name: null, language: null, organizationId: null },
    ];
    for (const type of [
      'IntroductionMeetingScheduled',
      'IntroductionMeetingRescheduled',
      'IntroductionMeetingCancelled',
    ]) {
      const mapped = mapPersonalData(type, { meetingId: 'm', attendees }, tag);
      expect(mapped.attendees).toEqual([
        { email: '<email:alice@example.org>', name: '<name:Alice>', language: 'en', organizationId: 'o-1' },
        { email: '<email:observer@example.fr>', name: null, language: null, organizationId: null },
      ]);
    }
    const held = mapPersonalData('IntroductionMeetingHeld', { attendeesPresent: [attendees[0]] }, tag);
    expect(held.attendeesPresent).toEqual([expect.objectContaining({ name: '<name:Alice>' })]);
    const unrecorded = { attendeesPresent: null };
    expect(mapPersonalData('IntroductionMeetingHeld', unrecorded, tag)).toBe(unrecorded);
  });

  it('maps signer names, owned by the name itself', () => {
    for (const type of ['AgreementSigned', 'MouSigned']) {
      const data = { organizationId: 'o-1', signerName: 'Claire Durand', pendingSignatories: ['o-2'] };
      expect(mapPersonalData(type, data, tag)).toEqual({ ...data, signerName: '<signerName:Claire Durand>' });
      expect(personalFieldOwners(type, data)).toEqual([{ kind: 'name', value: 'Claire Durand' }]);
    }
  });

  it('returns the very same data when nothing is personal', () => {
    const data = { agreementId: 'a', signatories: ['o-1'] };
    expect(mapPersonalData('AgreementExecuted', data, tag)).toBe(data);
    expect(mapPersonalData('OrganizationRegistered', { contacts: 'junk' }, tag)).toEqual({
      contacts: 'junk',
    });
  });

  it('derives one subject text per person, however the address or the name is written', () => {
    expect(subjectText('email', '  Alice@Example.ORG ')).toBe('email:alice@example.org');
    expect(subjectText('name', ' Claire   DURAND\u00a0')).toBe('name:claire durand');
    expect(subjectText('name', 'Ｃｌａｉｒｅ Durand')).toBe('name:claire durand');
    expect(subjectText('email', 'a@b.c')).not.toBe(subjectText('name', 'a@b.c'));
  });

  it('records an erasure as an event with a version, in a stream of its own', () => {
    expect(currentVersionOf('PersonForgotten')).toBe(1);
    expect(personStreamId('ab12')).toBe('person-ab12');
    expect(ERASED).toBe('[erased]');
  });
});
