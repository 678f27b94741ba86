// Shared building blocks
export * from './shared/decider';
export * from './shared/errors';
export * from './shared/metadata';
export * from './shared/vocabulary';
export { addMonths, parseDate, parseInstant, utcDate, type Instant } from './shared/time';

// Organisations
export type * from './organization/commands';
export type * from './organization/events';
export { ORGANIZATION_EVENT_VERSIONS } from './organization/events';
export * from './organization/state';
export { organizationDecider } from './organization/decider';

// Organisation names (uniqueness per country)
export type * from './organization-name/commands';
export type * from './organization-name/events';
export { ORGANIZATION_NAME_EVENT_VERSIONS } from './organization-name/events';
export { organizationNameKey } from './organization-name/key';
export { organizationNameDecider, type OrganizationNameState } from './organization-name/decider';

// Partnerships
export type * from './partnership/commands';
export type * from './partnership/events';
export { PARTNERSHIP_EVENT_VERSIONS } from './partnership/events';
export * from './partnership/stages';
export type {
  Agreement,
  JointProject,
  Meeting,
  Mou,
  Partnership,
  PartnershipState,
  ProjectMilestone,
  Signature,
} from './partnership/state';
export { initialPartnershipState } from './partnership/state';
export { evolvePartnership } from './partnership/evolve';
export { MAX_TERM_MONTHS, MIN_TERM_MONTHS } from './partnership/agreements';
export { partnershipDecider } from './partnership/decider';
export { organizationFactsNeeded, type OrganizationFactsNeed } from './partnership/organization-facts';
export { checkActingFor } from './partnership/acting-for';

// People (the record of an erasure)
export type * from './person/events';
export { PERSON_EVENT_VERSIONS, personStreamId } from './person/events';

// Event schema versions, upcasting, stream names
export * from './event-versions';
export * from './upcasting';
export * from './stream-ids';

// Personal data (crypto-shredding)
export * from './personal-data';
