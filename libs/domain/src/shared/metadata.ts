import type { Language, OrganizationKind } from './vocabulary';

/** What a decision may know about an organisation, which is another aggregate. */
export type OrganizationFacts = {
  id: string;
  name: string;
  kind: OrganizationKind;
  country: string;
  contacts: { email: string; name: string; language: Language }[];
};

/** Every command carries the time of the decision; nothing in the domain reads a clock. */
export type CommandMetadata = {
  now: Date;
};

/** Partnership commands also get the facts they need about organisations and the configured observers. */
export type PartnershipCommandMetadata = CommandMetadata & {
  /** Keyed by organisation id; an organisation missing here is not registered. */
  organizations?: Record<string, OrganizationFacts>;
  /** Observer e-mail addresses (GO-Biz, French diplomacy), allowed as meeting attendees. */
  observers?: string[];
};
