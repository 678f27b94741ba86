import {
  evolvePartnership,
  initialPartnershipState,
  Partnership,
  PartnershipEvent,
} from '@passerelle/domain';
import { GOBIZ, IHUB, NOW, ORGANIZATIONS, POLE, REGION } from '@passerelle/domain/testing/fixtures';
import type { PartnershipEventEnvelope, PartnershipFacts, PlanningContext } from '../facts';

export { GOBIZ, IHUB, NOW, POLE, REGION };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const settings: PlanningContext['settings'] = {
  meetingReminderLeadMs: DAY,
  signatureReminderIntervalMs: 7 * DAY,
  signatureReminderMax: 3,
  renewalLeadMs: 60 * DAY,
  signatureRequestDelayMs: 5 * 60_000,
  historyCutoffMs: 30 * DAY,
  lateReminderToleranceMs: 3 * DAY,
  observerEmails: ['observer@diplomatie.example.fr', 'alice@ihub.example.org'],
};

export const context = (now: Date = NOW): PlanningContext => ({ now, settings });

/** The partnership folded from events, with the fixture organisations. */
export function factsFrom(events: readonly PartnershipEvent[]): PartnershipFacts {
  const state = events.reduce(evolvePartnership, initialPartnershipState());
  if (state.status === 'none') throw new Error('no partnership');
  return {
    partnership: state as Partnership,
    organizations: new Map(
      Object.values(ORGANIZATIONS).map((org) => [
        org.id,
        { id: org.id, name: org.name, contacts: org.contacts },
      ]),
    ),
  };
}

let position = 100;
export const envelope = (event: PartnershipEvent): PartnershipEventEnvelope => ({
  id: `00000000-0000-4000-8000-${String(++position).padStart(12, '0')}`,
  position,
  event,
});

export const at = (offsetMs: number, from: Date = NOW): string =>
  new Date(from.getTime() + offsetMs).toISOString();
export { DAY, HOUR };
