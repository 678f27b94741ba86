import type { DomainEventType } from './event-versions';
import type { Organization } from './organization/state';
import type { Partnership, Signature } from './partnership/state';

/**
 * Which fields of which events hold personal data, and whose. The event store keeps these fields
 * encrypted with a key per person (crypto-shredding); once the key is deleted they read as ERASED.
 * Pure: no key, no cipher, no I/O.
 */

/** What a personal field reads as once its person has been forgotten. */
export const ERASED = '[erased]';

export const isErased = (value: unknown): boolean => value === ERASED;

/** How a person is named: by e-mail address (contacts, attendees) or by name (signers, who have no address). */
export type SubjectKind = 'email' | 'name';

export interface PersonalDataRule {
  /** The array of records that hold the fields; null when the fields belong to the event data itself. */
  readonly list: string | null;
  /** The personal fields of each record (or of the data). */
  readonly fields: readonly string[];
  /** The field that names the person these fields belong to, and how it names them. */
  readonly subject: { readonly kind: SubjectKind; readonly field: string };
}

/** A contact or attendee record: its name and address belong to the person with that address. */
const people = (list: string): PersonalDataRule => ({
  list,
  fields: ['name', 'email'],
  subject: { kind: 'email', field: 'email' },
});

/** A signature: the signer is named, not addressed. */
const signer: PersonalDataRule = {
  list: null,
  fields: ['signerName'],
  subject: { kind: 'name', field: 'signerName' },
};

/**
 * Every domain event type, with its personal fields (none for most). Keyed by type so that a new
 * event type does not compile until someone has said what personal data it carries. The rules hold
 * for every schema version written so far; a version that moves these fields adds rules for itself.
 */
const PERSONAL_DATA = {
  OrganizationRegistered: [people('contacts')],
  OrganizationNameReserved: [],
  PartnershipProposed: [],
  IntroductionMeetingScheduled: [people('attendees')],
  IntroductionMeetingRescheduled: [people('attendees')],
  IntroductionMeetingCancelled: [people('attendees')],
  IntroductionMeetingHeld: [people('attendeesPresent')],
  AgreementDrafted: [],
  AgreementAmended: [],
  AgreementSigned: [signer],
  AgreementExecuted: [],
  AgreementExpired: [],
  JointProjectLaunched: [],
  JointProjectMilestoneReached: [],
  JointProjectCompleted: [],
  MouDrafted: [],
  MouSigned: [signer],
  MouExecuted: [],
  PartnershipSuspended: [],
  PartnershipResumed: [],
  PartnershipWithdrawn: [],
  PersonForgotten: [],
} as const satisfies Record<DomainEventType, readonly PersonalDataRule[]>;

/** The personal-data rules of an event type; none for a type this domain does not know. */
export const personalDataRulesFor = (type: string): readonly PersonalDataRule[] =>
  Object.hasOwn(PERSONAL_DATA, type) ? PERSONAL_DATA[type as DomainEventType] : [];

export const hasPersonalData = (type: string): boolean => personalDataRulesFor(type).length > 0;

/** The person a field belongs to: the kind of name and its value as found in the event (or null when absent). */
export interface PersonalFieldOwner {
  kind: SubjectKind;
  value: string | null;
}

/** Called for each personal field holding a string; returns what to put there instead. */
export type PersonalFieldMapper = (value: string, field: string, owner: PersonalFieldOwner) => string;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function mapRecord(
  record: Record<string, unknown>,
  rule: PersonalDataRule,
  map: PersonalFieldMapper,
): Record<string, unknown> {
  const subject = record[rule.subject.field];
  const owner: PersonalFieldOwner = {
    kind: rule.subject.kind,
    value: typeof subject === 'string' ? subject : null,
  };
  let copy: Record<string, unknown> | undefined;
  for (const field of rule.fields) {
    const value = record[field];
    if (typeof value !== 'string') continue;
    const mapped = map(value, field, owner);
    if (mapped !== value) (copy ??= { ...record })[field] = mapped;
  }
  return copy ?? record;
}

/**
 * The event data with every personal field passed through `map`. Only strings are mapped (a null
 * name stays null). Copies only what changes; the data given is never modified.
 */
export function mapPersonalData(
  type: string,
  data: Record<string, unknown>,
  map: PersonalFieldMapper,
): Record<string, unknown> {
  let result = data;
  for (const rule of personalDataRulesFor(type)) {
    if (rule.list === null) {
      result = mapRecord(result, rule, map);
      continue;
    }
    const list = result[rule.list];
    if (!Array.isArray(list)) continue;
    let changed = false;
    const mapped = list.map((item: unknown) => {
      if (!isRecord(item)) return item;
      const next = mapRecord(item, rule, map);
      changed ||= next !== item;
      return next;
    });
    if (changed) result = { ...result, [rule.list]: mapped };
  }
  return result;
}

/** Every person named in the event's personal fields (duplicates included), e.g. to fetch their keys first. */
export function personalFieldOwners(type: string, data: Record<string, unknown>): PersonalFieldOwner[] {
  const owners: PersonalFieldOwner[] = [];
  mapPersonalData(type, data, (value, _field, owner) => {
    owners.push(owner);
    return value;
  });
  return owners;
}

/**
 * The text a person's identifier is derived from: `email:` and the address trimmed and lower-cased,
 * or `name:` and the name in Unicode NFKC, trimmed, inner spaces collapsed, lower-cased. The same
 * person written twice a little differently is one subject.
 */
export function subjectText(kind: SubjectKind, value: string): string {
  if (kind === 'email') return `email:${value.trim().toLowerCase()}`;
  return `name:${value.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase()}`;
}

/** Called for each personal string of a folded state; returns what to put there instead. */
export type PersonalValueMapper = (value: string) => string;

type Person = { name: string | null; email: string };

const mapPeople = <P extends Person>(people: readonly P[], map: PersonalValueMapper): P[] =>
  people.map((person) => ({
    ...person,
    name: person.name === null ? null : map(person.name),
    email: map(person.email),
  }));

const mapSignatures = <S extends { signatures: readonly Signature[] }>(
  documents: readonly S[],
  map: PersonalValueMapper,
): S[] =>
  documents.map((document) => ({
    ...document,
    signatures: document.signatures.map((s) => ({ ...s, signerName: map(s.signerName) })),
  }));

/**
 * The organisation with each personal field (its contacts' names and addresses: what
 * OrganizationRegistered carries, see PERSONAL_DATA) passed through `map`. A read model keeps these
 * fields as the events store them and opens them when read. Pure; the state given is not modified.
 */
export const mapOrganizationPersonalData = (
  organization: Organization,
  map: PersonalValueMapper,
): Organization => ({ ...organization, contacts: mapPeople(organization.contacts, map) });

/** The partnership with each personal field (attendees, those present, signers) passed through `map`. Pure. */
export const mapPartnershipPersonalData = (
  partnership: Partnership,
  map: PersonalValueMapper,
): Partnership => ({
  ...partnership,
  meetings: partnership.meetings.map((meeting) => ({
    ...meeting,
    attendees: mapPeople(meeting.attendees, map),
    attendeesPresent: meeting.attendeesPresent === null ? null : mapPeople(meeting.attendeesPresent, map),
  })),
  agreements: mapSignatures(partnership.agreements, map),
  mous: mapSignatures(partnership.mous, map),
});

/** Every personal string of a folded state (to fetch the keys that open them first). */
export function personalValuesOf(mapState: (map: PersonalValueMapper) => unknown): string[] {
  const values: string[] = [];
  mapState((value) => (values.push(value), value));
  return values;
}
