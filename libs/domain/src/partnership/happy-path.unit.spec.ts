import { fold } from '../shared/decider';
import {
  AGREEMENT_ID,
  MEETING_ID,
  MILESTONE_1,
  MOU_ID,
  PARTIES,
  PARTNERSHIP_ID,
  PROJECT_ID,
  lifecycleCommands,
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

describe('a partnership from proposal to executed MOU', () => {
  const { events, steps, state } = run(lifecycleCommands());

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
