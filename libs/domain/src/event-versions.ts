import { ORGANIZATION_NAME_EVENT_VERSIONS } from './organization-name/events';
import { ORGANIZATION_EVENT_VERSIONS } from './organization/events';
import { PARTNERSHIP_EVENT_VERSIONS } from './partnership/events';
import { PERSON_EVENT_VERSIONS } from './person/events';

const CURRENT_EVENT_VERSIONS = {
  ...ORGANIZATION_EVENT_VERSIONS,
  ...ORGANIZATION_NAME_EVENT_VERSIONS,
  ...PARTNERSHIP_EVENT_VERSIONS,
  ...PERSON_EVENT_VERSIONS,
} as const;

export type DomainEventType = keyof typeof CURRENT_EVENT_VERSIONS;

/** The schema version of every domain event type, as new events are written today. */
export const currentEventVersions = (): Record<DomainEventType, number> => ({ ...CURRENT_EVENT_VERSIONS });

export const isDomainEventType = (type: string): type is DomainEventType =>
  Object.hasOwn(CURRENT_EVENT_VERSIONS, type);

/** The version to stamp a new event with. An unknown type is a programming error, not a user's. */
export const currentVersionOf = (type: string): number => {
  if (!isDomainEventType(type)) throw new Error(`Unknown domain event type ${type}`);
  return CURRENT_EVENT_VERSIONS[type];
};
