import { randomUUID } from 'node:crypto';
import {
  currentVersionOf,
  organizationDecider,
  PartnershipCommand,
  partnershipDecider,
  PartnershipState,
  streamIdFor,
} from '@passerelle/domain';
import {
  FR_COMPANY,
  GOBIZ,
  IHUB,
  OBSERVER,
  ORGANIZATIONS,
  POLE,
  REGION,
  US_COMPANY,
} from '@passerelle/domain/testing/fixtures';
import type { NewEvent } from '@passerelle/event-store';

/** One append: a stream and the events that go to it. */
export interface Append {
  streamId: string;
  events: NewEvent[];
}

const DAY_MS = 86_400_000;
const ACTOR = { sub: 'officer-7', name: 'Olivia Officer', roles: ['officer'] };

function envelope(events: readonly { type: string; data: unknown }[]): NewEvent[] {
  const commandId = randomUUID();
  return events.map((event) => ({
    id: randomUUID(),
    type: event.type,
    version: currentVersionOf(event.type),
    data: event.data as Record<string, unknown>,
    metadata: { actor: ACTOR, commandId, causationId: commandId, correlationId: commandId },
  }));
}

/** The organisations every generated partnership refers to, registered as the application would. */
export function organizationAppends(): Append[] {
  return [IHUB, POLE, GOBIZ, REGION, US_COMPANY, FR_COMPANY].map((facts) => ({
    streamId: streamIdFor.organization(facts.id),
    events: envelope(
      organizationDecider.decide(
        {
          type: 'RegisterOrganization',
          data: {
            id: facts.id,
            name: facts.name,
            kind: facts.kind,
            country: facts.country,
            region: facts.country === 'US' ? 'California' : "Provence-Alpes-Côte d'Azur",
            sectors: ['blue_economy'],
            contacts: facts.contacts.map((contact) => ({ ...contact, role: null })),
          },
          metadata: { now: new Date('2024-01-02T09:00:00Z') },
        } as never,
        organizationDecider.initialState(),
      ),
    ),
  }));
}

/**
 * The whole life of partnership number `n`, decided by the domain's own decider (so the read models
 * get exactly what the application would write): proposal, meeting, agreement, project, a
 * suspension, milestones and an MOU. Sixteen events, one append.
 */
export function partnershipAppend(n: number): Append {
  const partnershipId = randomUUID();
  const start = Date.parse('2024-01-08T09:00:00Z') + (n % 700) * DAY_MS;
  const at = (days: number) => new Date(start + days * DAY_MS);
  const day = (days: number) => at(days).toISOString().slice(0, 10);
  const ids = { meeting: randomUUID(), agreement: randomUUID(), project: randomUUID(), mou: randomUUID() };
  const milestones = [randomUUID(), randomUUID()];
  const steps: [number, PartnershipCommand['type'], Record<string, unknown>][] = [
    [
      0,
      'ProposePartnership',
      {
        title: `Partnership ${n}`,
        parties: [IHUB.id, POLE.id, GOBIZ.id, REGION.id, ...(n % 3 === 0 ? [US_COMPANY.id] : [])],
        sectors: [['blue_economy', 'aerospace', 'biotech_health'][n % 3]],
        axes: ['business_development'],
      },
    ],
    [
      1,
      'ScheduleIntroductionMeeting',
      {
        meetingId: ids.meeting,
        startsAt: at(14).toISOString(),
        timezone: 'America/Los_Angeles',
        attendees: [IHUB.contacts[0]!.email, POLE.contacts[0]!.email, OBSERVER],
      },
    ],
    [3, 'RescheduleIntroductionMeeting', { meetingId: ids.meeting, startsAt: at(15).toISOString() }],
    [
      16,
      'RecordIntroductionMeetingOutcome',
      { meetingId: ids.meeting, heldAt: at(15).toISOString(), outcome: 'interested' },
    ],
    [
      20,
      'DraftAgreement',
      {
        agreementId: ids.agreement,
        title: 'Cluster cooperation agreement',
        termMonths: 36,
        signatories: [IHUB.id, POLE.id],
      },
    ],
    [
      24,
      'SignAgreement',
      { agreementId: ids.agreement, organizationId: IHUB.id, signerName: 'Alice Walker' },
    ],
    [
      26,
      'SignAgreement',
      { agreementId: ids.agreement, organizationId: POLE.id, signerName: 'Bruno Martin' },
    ],
    [
      40,
      'LaunchJointProject',
      {
        projectId: ids.project,
        title: 'Underwater drone testbed',
        startsOn: day(40),
        budget: { amount: 50_000 + (n % 100) * 1000, currency: n % 2 ? 'USD' : 'EUR' },
        fundingSources: ['Région Sud'],
        leads: [IHUB.id, POLE.id],
        milestones: [
          { milestoneId: milestones[0], title: 'Testbed specification', dueOn: day(100) },
          { milestoneId: milestones[1], title: 'Sea trial', dueOn: day(200) },
        ],
      },
    ],
    [60, 'SuspendPartnership', { reason: 'Regional elections' }],
    [90, 'ResumePartnership', {}],
    [
      95,
      'ReachJointProjectMilestone',
      { projectId: ids.project, milestoneId: milestones[0], reachedOn: day(95) },
    ],
    [
      120,
      'DraftMou',
      { mouId: ids.mou, title: 'MOU on the blue economy', signatories: [GOBIZ.id, REGION.id] },
    ],
    [130, 'SignMou', { mouId: ids.mou, organizationId: REGION.id, signerName: 'Claire Durand' }],
    [131, 'SignMou', { mouId: ids.mou, organizationId: GOBIZ.id, signerName: 'Dee Myers' }],
  ];
  let state: PartnershipState = partnershipDecider.initialState();
  const events: NewEvent[] = [];
  for (const [days, type, data] of steps) {
    const command = {
      type,
      data: { partnershipId, ...data },
      metadata: { now: at(days), organizations: ORGANIZATIONS, observers: [OBSERVER] },
    } as unknown as PartnershipCommand;
    const produced = partnershipDecider.decide(command, state);
    state = produced.reduce(partnershipDecider.evolve, state);
    events.push(...envelope(produced));
  }
  return { streamId: streamIdFor.partnership(partnershipId), events };
}

/**
 * A long-lived partnership: proposed, then suspended and resumed again and again (each step decided
 * by the domain's decider, a day apart) until it holds `length` events; appended in batches of
 * `batchSize`. It ends active, so a suspension is the next legal command.
 */
export function* longPartnershipAppends(length: number, batchSize = 500): Generator<Append> {
  const partnershipId = randomUUID();
  const streamId = streamIdFor.partnership(partnershipId);
  const start = Date.parse('2020-01-06T09:00:00Z');
  let state: PartnershipState = partnershipDecider.initialState();
  let batch: NewEvent[] = [];
  for (let step = 0; ; step++) {
    const [type, data]: [PartnershipCommand['type'], Record<string, unknown>] =
      step === 0
        ? [
            'ProposePartnership',
            {
              title: 'Long-running cluster cooperation',
              parties: [IHUB.id, POLE.id],
              sectors: ['blue_economy'],
              axes: ['business_development'],
            },
          ]
        : step % 2 === 1
          ? ['SuspendPartnership', { reason: 'Budget review by the regional council' }]
          : ['ResumePartnership', {}];
    const command = {
      type,
      data: { partnershipId, ...data },
      metadata: {
        now: new Date(start + step * 3_600_000),
        organizations: ORGANIZATIONS,
        observers: [OBSERVER],
      },
    } as unknown as PartnershipCommand;
    const produced = partnershipDecider.decide(command, state);
    state = produced.reduce(partnershipDecider.evolve, state);
    batch.push(...envelope(produced));
    const done = step % 2 === 0 && step > 0 && length - (step + 1) < 2;
    if (batch.length >= batchSize || done) {
      yield { streamId, events: batch };
      batch = [];
    }
    if (done) return;
  }
}
