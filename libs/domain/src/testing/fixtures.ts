import type { OrganizationFacts, PartnershipCommandMetadata } from '../shared/metadata';
import type { PartnershipCommand } from '../partnership/commands';
import type { Attendee, PartnershipEvent } from '../partnership/events';
import { recordedBusinessDate } from '../upcasting/partnership-business-date';

/** Every test decides at this instant unless it says otherwise. */
export const NOW = new Date('2025-03-10T09:00:00.000Z');
export const OCCURRED_AT = NOW.toISOString();

export const PARTNERSHIP_ID = '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0001';
export const MEETING_ID = '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0101';
export const AGREEMENT_ID = '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0201';
export const PROJECT_ID = '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0301';
export const MILESTONE_1 = '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0311';
export const MILESTONE_2 = '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0312';
export const MOU_ID = '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0401';

const org = (
  id: string,
  name: string,
  kind: OrganizationFacts['kind'],
  country: string,
  contacts: OrganizationFacts['contacts'],
): OrganizationFacts => ({
  id,
  name,
  kind,
  country,
  contacts,
});

/** A Californian iHub, a French pôle, and the two governments that will sign the MOU; plus outsiders. */
export const IHUB = org('0a000000-0000-4000-8000-000000000001', 'San Diego Blue Tech iHub', 'ihub', 'US', [
  { email: 'alice@ihub.example.org', name: 'Alice Walker', language: 'en' },
]);
export const POLE = org('0a000000-0000-4000-8000-000000000002', 'Pôle Mer Méditerranée', 'pole', 'FR', [
  { email: 'bruno@polemer.example.fr', name: 'Bruno Martin', language: 'fr' },
]);
export const GOBIZ = org('0a000000-0000-4000-8000-000000000003', 'GO-Biz', 'agency', 'US', [
  { email: 'intl@gobiz.example.org', name: 'International desk', language: 'en' },
]);
export const REGION = org('0a000000-0000-4000-8000-000000000004', 'Région Sud', 'region', 'FR', [
  { email: 'claire@maregionsud.example.fr', name: 'Claire Durand', language: 'fr' },
]);
export const US_COMPANY = org(
  '0a000000-0000-4000-8000-000000000005',
  'Ocean Robotics Inc.',
  'company',
  'US',
  [{ email: 'dan@oceanrobotics.example.com', name: 'Dan Lee', language: 'en' }],
);
export const FR_COMPANY = org('0a000000-0000-4000-8000-000000000006', 'Sous-Marine SAS', 'company', 'FR', [
  { email: 'eve@sousmarine.example.fr', name: 'Eve Petit', language: 'fr' },
]);

export const ORGANIZATIONS: Record<string, OrganizationFacts> = Object.fromEntries(
  [IHUB, POLE, GOBIZ, REGION, US_COMPANY, FR_COMPANY].map((facts) => [facts.id, facts]),
);
export const OBSERVER = 'observer@diplomatie.example.fr';

export const metadata = (now: Date = NOW): PartnershipCommandMetadata => ({
  now,
  organizations: ORGANIZATIONS,
  observers: [OBSERVER],
});

type CommandOf<T extends PartnershipCommand['type']> = Extract<PartnershipCommand, { type: T }>;

/** A command on the test partnership, decided at `now`. */
export const command = <T extends PartnershipCommand['type']>(
  type: T,
  data: Omit<CommandOf<T>['data'], 'partnershipId'>,
  now: Date = NOW,
): CommandOf<T> =>
  ({
    type,
    data: { partnershipId: PARTNERSHIP_ID, ...data },
    metadata: metadata(now),
  }) as unknown as CommandOf<T>;

export const attendee = (facts: OrganizationFacts): Attendee => ({
  email: facts.contacts[0].email,
  name: facts.contacts[0].name,
  language: facts.contacts[0].language,
  organizationId: facts.id,
});

type EventOf<T extends PartnershipEvent['type']> = Extract<PartnershipEvent, { type: T }>;

/**
 * A partnership event with the test partnership's id and the pinned time; `data` is the rest. Its business
 * date `on` defaults to what a command without a date decides: the event's own date, else the day of `occurredAt`.
 */
export const event = <T extends PartnershipEvent['type']>(
  type: T,
  data: Omit<EventOf<T>['data'], 'partnershipId' | 'occurredAt' | 'on'> & { on?: string },
  occurredAt: string = OCCURRED_AT,
): EventOf<T> => {
  const { on, ...rest } = data;
  return {
    type,
    data: {
      partnershipId: PARTNERSHIP_ID,
      ...rest,
      on: on ?? recordedBusinessDate(type, { ...rest, occurredAt }),
      occurredAt,
    },
  } as unknown as EventOf<T>;
};

export const PARTIES = [IHUB.id, POLE.id, GOBIZ.id, REGION.id];

/** The business dates of the histories below: proposed a month before the meeting it led to. */
export const PROPOSED_ON = '2025-02-03';
export const AGREEMENT_DRAFTED_ON = '2025-03-03';
export const PROJECT_STARTS_ON = '2025-03-06';
export const MOU_DRAFTED_ON = '2025-03-07';

export const proposed = () =>
  event('PartnershipProposed', {
    title: 'Blue economy bridge',
    description: null,
    parties: PARTIES,
    sectors: ['blue_economy'],
    axes: ['technology_transfer', 'business_development'],
    on: PROPOSED_ON,
  });

/** A meeting that took place a week before NOW, so its outcome can be recorded. */
export const meetingScheduled = (overrides: Partial<EventOf<'IntroductionMeetingScheduled'>['data']> = {}) =>
  event('IntroductionMeetingScheduled', {
    meetingId: MEETING_ID,
    startsAt: '2025-03-03T17:00:00.000Z',
    endsAt: '2025-03-03T18:00:00.000Z',
    timezone: 'America/Los_Angeles',
    location: null,
    videoUrl: 'https://meet.example.org/blue-bridge',
    agenda: 'Introductions',
    attendees: [attendee(IHUB), attendee(POLE)],
    sequence: 0,
    invitations: true,
    ...overrides,
  });

export const meetingHeld = (outcome: 'interested' | 'follow_up' | 'not_interested' = 'interested') =>
  event('IntroductionMeetingHeld', {
    meetingId: MEETING_ID,
    heldAt: '2025-03-03T17:00:00.000Z',
    outcome,
    minutes: null,
    attendeesPresent: null,
  });

export const agreementDrafted = (overrides: Partial<EventOf<'AgreementDrafted'>['data']> = {}) =>
  event('AgreementDrafted', {
    agreementId: AGREEMENT_ID,
    title: 'Cluster cooperation agreement',
    scope: null,
    termMonths: 24,
    signatories: [IHUB.id, POLE.id],
    on: AGREEMENT_DRAFTED_ON,
    ...overrides,
  });

export const agreementSigned = (facts: OrganizationFacts, signedOn: string, pendingSignatories: string[]) =>
  event('AgreementSigned', {
    agreementId: AGREEMENT_ID,
    organizationId: facts.id,
    signerName: facts.contacts[0].name,
    signedAt: `${signedOn}T00:00:00.000Z`,
    signedOn,
    pendingSignatories,
  });

export const agreementExecuted = (executedOn = '2025-03-05', expiresOn = '2027-03-05') =>
  event('AgreementExecuted', {
    agreementId: AGREEMENT_ID,
    title: 'Cluster cooperation agreement',
    signatories: [IHUB.id, POLE.id],
    termMonths: 24,
    executedOn,
    expiresOn,
  });

export const projectLaunched = () =>
  event('JointProjectLaunched', {
    projectId: PROJECT_ID,
    title: 'Underwater drone testbed',
    description: null,
    startsOn: PROJECT_STARTS_ON,
    budget: { amount: 250000, currency: 'EUR' },
    fundingSources: ['Région Sud', 'GO-Biz CalCompetes'],
    leads: [IHUB.id, POLE.id],
    milestones: [
      { milestoneId: MILESTONE_1, title: 'Testbed specification', dueOn: '2025-06-30' },
      { milestoneId: MILESTONE_2, title: 'First joint sea trial', dueOn: '2025-12-15' },
    ],
    agreementIds: [AGREEMENT_ID],
  });

export const mouDrafted = () =>
  event('MouDrafted', {
    mouId: MOU_ID,
    title: 'Memorandum of understanding on the blue economy',
    scope: null,
    signatories: [GOBIZ.id, REGION.id],
    on: MOU_DRAFTED_ON,
  });

export const suspended = (fromStage: EventOf<'PartnershipSuspended'>['data']['fromStage']) =>
  event('PartnershipSuspended', { reason: 'Budget freeze', fromStage });

export const withdrawn = () =>
  event('PartnershipWithdrawn', { reason: 'Priorities changed', fromStage: 'proposed', wasOnHold: false });

/** Histories the specs start from, each a step further along the lifecycle. */
export const histories = {
  proposed: () => [proposed()],
  introduced: () => [proposed(), meetingScheduled(), meetingHeld('interested')],
  agreementDrafted: () => [...histories.introduced(), agreementDrafted()],
  agreementExecuted: () => [
    ...histories.agreementDrafted(),
    agreementSigned(IHUB, '2025-03-04', [POLE.id]),
    agreementSigned(POLE, '2025-03-05', []),
    agreementExecuted(),
  ],
  projectActive: () => [...histories.agreementExecuted(), projectLaunched()],
  mouDrafted: () => [...histories.projectActive(), mouDrafted()],
};

const day = (iso: string) => new Date(iso);

/** A partnership from proposal to executed MOU, one command of each kind along the way, a day apart or more. */
export const lifecycleCommands = (): PartnershipCommand[] => [
  command(
    'ProposePartnership',
    {
      title: 'Blue economy bridge',
      parties: PARTIES,
      sectors: ['blue_economy'],
      axes: ['technology_transfer'],
    },
    day('2025-01-06T10:00:00Z'),
  ),
  command(
    'ScheduleIntroductionMeeting',
    {
      meetingId: MEETING_ID,
      startsAt: '2025-01-20T17:00:00Z',
      timezone: 'America/Los_Angeles',
      attendees: ['alice@ihub.example.org', 'bruno@polemer.example.fr', OBSERVER],
    },
    day('2025-01-07T10:00:00Z'),
  ),
  command(
    'RescheduleIntroductionMeeting',
    { meetingId: MEETING_ID, startsAt: '2025-01-21T17:00:00Z' },
    day('2025-01-10T10:00:00Z'),
  ),
  command(
    'RecordIntroductionMeetingOutcome',
    {
      meetingId: MEETING_ID,
      heldAt: '2025-01-21T17:00:00Z',
      outcome: 'interested',
    },
    day('2025-01-22T10:00:00Z'),
  ),
  command(
    'DraftAgreement',
    {
      agreementId: AGREEMENT_ID,
      title: 'Cluster cooperation agreement',
      termMonths: 36,
      signatories: [IHUB.id, POLE.id],
    },
    day('2025-02-03T10:00:00Z'),
  ),
  command(
    'SignAgreement',
    { agreementId: AGREEMENT_ID, organizationId: IHUB.id, signerName: 'Alice Walker' },
    day('2025-02-10T18:00:00Z'),
  ),
  command(
    'SignAgreement',
    { agreementId: AGREEMENT_ID, organizationId: POLE.id, signerName: 'Bruno Martin' },
    day('2025-02-12T09:00:00Z'),
  ),
  command(
    'LaunchJointProject',
    {
      projectId: PROJECT_ID,
      title: 'Underwater drone testbed',
      startsOn: '2025-03-01',
      budget: { amount: 250000, currency: 'EUR' },
      fundingSources: ['Région Sud'],
      leads: [IHUB.id, POLE.id],
      milestones: [{ milestoneId: MILESTONE_1, title: 'Testbed specification', dueOn: '2025-06-30' }],
    },
    day('2025-03-01T10:00:00Z'),
  ),
  command('SuspendPartnership', { reason: 'Elections' }, day('2025-04-01T10:00:00Z')),
  command('ResumePartnership', {}, day('2025-05-01T10:00:00Z')),
  command(
    'ReachJointProjectMilestone',
    { projectId: PROJECT_ID, milestoneId: MILESTONE_1, reachedOn: '2025-06-20' },
    day('2025-06-21T10:00:00Z'),
  ),
  command(
    'DraftMou',
    {
      mouId: MOU_ID,
      title: 'MOU on the blue economy',
      signatories: [GOBIZ.id, REGION.id],
    },
    day('2025-09-01T10:00:00Z'),
  ),
  command(
    'SignMou',
    { mouId: MOU_ID, organizationId: REGION.id, signerName: 'Claire Durand', signedAt: '2025-09-15' },
    day('2025-09-15T12:00:00Z'),
  ),
  command(
    'SignMou',
    { mouId: MOU_ID, organizationId: GOBIZ.id, signerName: 'Dee Myers', signedAt: '2025-09-16' },
    day('2025-09-16T20:00:00Z'),
  ),
];
