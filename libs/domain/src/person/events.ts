import type { DomainEvent } from '../shared/decider';
import { streamIdFor } from '../stream-ids';

/** The record that a person was forgotten. `subject` is the keyed hash the store knows them by: no personal data. */
export type PersonForgotten = DomainEvent<'PersonForgotten', { subject: string; forgottenAt: string }>;

export const PERSON_EVENT_VERSIONS = {
  PersonForgotten: 1,
} as const satisfies Record<PersonForgotten['type'], number>;

/** Stream of the erasures of one subject: `person-<subject>`. */
export const personStreamId = (subject: string): string => streamIdFor.person(subject);
