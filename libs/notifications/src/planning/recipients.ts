import { type Attendee, isErased } from '@passerelle/domain';
import type { Recipient } from '../model';
import type { PartnershipFacts } from './facts';

/** Observers (GO-Biz, French diplomacy) have no language on record: English. */
const OBSERVER_LANGUAGE = 'en';

export const attendeesAsRecipients = (attendees: readonly Attendee[]): Recipient[] =>
  attendees.map((attendee) => ({
    email: attendee.email.toLowerCase(),
    name: attendee.name,
    language: attendee.language ?? OBSERVER_LANGUAGE,
    organizationId: attendee.organizationId,
  }));

/** Every contact of the given organisations, as they are registered now. */
export const contactsOf = (facts: PartnershipFacts, organizationIds: readonly string[]): Recipient[] =>
  organizationIds.flatMap((id) =>
    (facts.organizations.get(id)?.contacts ?? []).map((contact) => ({
      email: contact.email.toLowerCase(),
      name: contact.name,
      language: contact.language,
      organizationId: id,
    })),
  );

export const observersAsRecipients = (emails: readonly string[]): Recipient[] =>
  emails.map((email) => ({
    email: email.toLowerCase(),
    name: null,
    language: OBSERVER_LANGUAGE,
    organizationId: null,
  }));

/**
 * One message per address: the first mention wins (a contact's language over an observer's default). A
 * forgotten person's address reads as erased: nothing is sent to it.
 */
export const distinctRecipients = (recipients: readonly Recipient[]): Recipient[] => {
  const seen = new Set<string>();
  return recipients.filter((recipient) => {
    if (isErased(recipient.email) || seen.has(recipient.email)) return false;
    seen.add(recipient.email);
    return true;
  });
};
