import { fold } from '../shared/decider';
import {
  AGREEMENT_ID,
  command,
  GOBIZ,
  IHUB,
  MEETING_ID,
  MILESTONE_1,
  MOU_ID,
  OBSERVER,
  PARTIES,
  PARTNERSHIP_ID,
  POLE,
  PROJECT_ID,
  REGION,
} from '../testing/fixtures';
import type { PartnershipCommand } from './commands';
import { partnershipDecider } from './decider';
import type { PartnershipEvent } from './events';
import type { Partnership, PartnershipState } from './state';

/** Runs commands one after the other, as the application would, and records what each produced. */
const run = (commands: PartnershipCommand[]) => {
  const events: PartnershipEvent[] = [];
  const steps: { command: string; events: string[]; stage: string }[] = [];
  let state: PartnershipState = partnershipDecider.initialState();
  for (const next of commands) {
    const produced = partnershipDecider.decide(next, state);
    events.push(...produced);
    state = produced.reduce(partnershipDecider.evolve, state);
    steps.push({
      command: next.type,
      events: produced.map((e) => e.type),
      stage: (state as Partnership).stage,
    });
  }
  return { events, steps, state: state as Partnership };
};

const day = (iso: string) => new Date(iso);

describe('a partnership from proposal to executed MOU', () => {
  const { events, steps, state } = run([
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
  ]);

  it('goes through every stage in order, pausing on hold and resuming where it left off', () => {
    expect(
      steps.map(({ command, events, stage }) => `${command} → ${events.join(' + ')} → ${stage}`),
    ).toEqual([
      'ProposePartnership → PartnershipProposed → proposed',
      'ScheduleIntroductionMeeting → IntroductionMeetingScheduled → proposed',
      'RescheduleIntroductionMeeting → IntroductionMeetingRescheduled → proposed',
      'RecordIntroductionMeetingOutcome → IntroductionMeetingHeld → introduced',
      'DraftAgreement → AgreementDrafted → introduced',
      'SignAgreement → AgreementSigned → introduced',
      'SignAgreement → AgreementSigned + AgreementExecuted → agreement_signed',
      'LaunchJointProject → JointProjectLaunched → project_active',
      'SuspendPartnership → PartnershipSuspended → on_hold',
      'ResumePartnership → PartnershipResumed → project_active',
      'ReachJointProjectMilestone → JointProjectMilestoneReached → project_active',
      'DraftMou → MouDrafted → project_active',
      'SignMou → MouSigned → project_active',
      'SignMou → MouSigned + MouExecuted → mou_signed',
    ]);
  });

  it('stamps every event with the partnership and the time of its command', () => {
    for (const e of events) expect(e.data).toMatchObject({ partnershipId: PARTNERSHIP_ID });
    expect(events.map((e) => e.data.occurredAt).slice(0, 2)).toEqual([
      '2025-01-06T10:00:00.000Z',
      '2025-01-07T10:00:00.000Z',
    ]);
  });

  it('ends with a plain JSON state holding each item with its own status', () => {
    expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
    expect(state).toMatchObject({
      id: PARTNERSHIP_ID,
      title: 'Blue economy bridge',
      description: null,
      stage: 'mou_signed',
      stageBeforeHold: null,
      status: 'active',
      parties: PARTIES,
      sectors: ['blue_economy'],
      axes: ['technology_transfer'],
      createdAt: '2025-01-06T10:00:00.000Z',
      updatedAt: '2025-09-16T20:00:00.000Z',
    });
    expect(state.meetings).toMatchObject([
      {
        meetingId: MEETING_ID,
        status: 'held',
        sequence: 1,
        startsAt: '2025-01-21T17:00:00.000Z',
        outcome: 'interested',
      },
    ]);
    expect(state.agreements).toMatchObject([
      { agreementId: AGREEMENT_ID, status: 'executed', executedOn: '2025-02-12', expiresOn: '2028-02-12' },
    ]);
    expect(state.agreements[0].signatures.map((s) => s.signedOn)).toEqual(['2025-02-10', '2025-02-12']);
    expect(state.projects).toMatchObject([
      {
        projectId: PROJECT_ID,
        status: 'running',
        milestones: [{ milestoneId: MILESTONE_1, reachedOn: '2025-06-20' }],
      },
    ]);
    expect(state.mous).toMatchObject([{ mouId: MOU_ID, status: 'executed', executedOn: '2025-09-16' }]);
  });

  it('is what folding the recorded events gives back (GET /state)', () => {
    expect(fold(partnershipDecider, events)).toStrictEqual(state);
  });
});
