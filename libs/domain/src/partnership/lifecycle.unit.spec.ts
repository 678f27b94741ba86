import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-spec';
import {
  AGREEMENT_ID,
  command,
  event,
  histories,
  IHUB,
  MEETING_ID,
  MOU_ID,
  PARTNERSHIP_ID,
  POLE,
  PROJECT_ID,
  proposed,
  suspended,
  withdrawn,
} from '../testing/fixtures';
import type { PartnershipCommand } from './commands';
import { partnershipDecider } from './decider';
import type { Partnership } from './state';

const given = DeciderSpecification.for(partnershipDecider);

const suspend = (reason = 'Budget freeze') => command('SuspendPartnership', { reason });
const resume = () => command('ResumePartnership', {});
const withdraw = (reason = 'Priorities changed') => command('WithdrawPartnership', { reason });

/** One command of every kind but the proposal, each valid on a partnership in the right stage. */
const everyCommand = (): PartnershipCommand[] => [
  command('ScheduleIntroductionMeeting', {
    meetingId: MEETING_ID,
    startsAt: '2025-03-20T16:00:00Z',
    attendees: [],
  }),
  command('RescheduleIntroductionMeeting', { meetingId: MEETING_ID, startsAt: '2025-03-21T16:00:00Z' }),
  command('CancelIntroductionMeeting', { meetingId: MEETING_ID, reason: 'Travel' }),
  command('RecordIntroductionMeetingOutcome', {
    meetingId: MEETING_ID,
    heldAt: '2025-03-03',
    outcome: 'interested',
  }),
  command('DraftAgreement', {
    agreementId: AGREEMENT_ID,
    title: 'A',
    termMonths: 12,
    signatories: [IHUB.id, POLE.id],
  }),
  command('AmendAgreement', { agreementId: AGREEMENT_ID, reason: 'Scope' }),
  command('SignAgreement', {
    agreementId: AGREEMENT_ID,
    organizationId: IHUB.id,
    signerName: 'Alice Walker',
  }),
  command('ExpireAgreement', { agreementId: AGREEMENT_ID }),
  command('LaunchJointProject', {
    projectId: PROJECT_ID,
    title: 'P',
    startsOn: '2025-04-01',
    budget: { amount: 1, currency: 'EUR' },
    fundingSources: ['F'],
    leads: [IHUB.id],
    milestones: [{ milestoneId: 'm', title: 'M', dueOn: '2025-05-01' }],
  }),
  command('ReachJointProjectMilestone', { projectId: PROJECT_ID, milestoneId: 'm', reachedOn: '2025-03-10' }),
  command('CompleteJointProject', { projectId: PROJECT_ID, completedOn: '2025-03-10' }),
  command('DraftMou', { mouId: MOU_ID, title: 'MOU', signatories: [] }),
  command('SignMou', { mouId: MOU_ID, organizationId: IHUB.id, signerName: 'Alice Walker' }),
  suspend(),
  resume(),
  withdraw(),
];

describe('SuspendPartnership', () => {
  it('puts the partnership on hold, recording the stage it leaves', () => {
    given(histories.agreementExecuted())
      .when(suspend())
      .then([event('PartnershipSuspended', { reason: 'Budget freeze', fromStage: 'agreement_signed' })]);
  });

  it('requires a reason', () => {
    given([proposed()]).when(suspend('  ')).thenThrows('validation.required', { field: 'reason' });
  });

  it('shows the partnership on hold with the stage it left', () => {
    const state = fold(partnershipDecider, [
      ...histories.agreementExecuted(),
      suspended('agreement_signed'),
    ]) as Partnership;
    expect({
      stage: state.stage,
      stageBeforeHold: state.stageBeforeHold,
      status: state.status,
    }).toStrictEqual({
      stage: 'on_hold',
      stageBeforeHold: 'agreement_signed',
      status: 'on_hold',
    });
  });

  it.each(
    everyCommand()
      .filter((c) => !['ResumePartnership', 'WithdrawPartnership', 'ExpireAgreement'].includes(c.type))
      .map((c) => [c.type, c] as const),
  )('refuses %s while on hold', (_type, onHoldCommand) => {
    given([...histories.projectActive(), suspended('project_active')])
      .when(onHoldCommand)
      .thenThrows('partnership.on_hold');
  });
});

describe('ResumePartnership', () => {
  it('resumes to the stage it left', () => {
    given([...histories.introduced(), suspended('introduced')])
      .when(resume())
      .then([event('PartnershipResumed', { toStage: 'introduced' })]);
  });

  it('is back at the stage it left, and accepts commands again', () => {
    const history = [
      ...histories.introduced(),
      suspended('introduced'),
      event('PartnershipResumed', { toStage: 'introduced' }),
    ];
    const state = fold(partnershipDecider, history) as Partnership;
    expect({
      stage: state.stage,
      stageBeforeHold: state.stageBeforeHold,
      status: state.status,
    }).toStrictEqual({
      stage: 'introduced',
      stageBeforeHold: null,
      status: 'active',
    });
    expect(partnershipDecider.decide(everyCommand()[4], state).map((e) => e.type)).toEqual([
      'AgreementDrafted',
    ]);
  });

  it('refuses to resume a partnership that is not on hold', () => {
    given(histories.introduced()).when(resume()).thenThrows('partnership.not_on_hold');
  });
});

describe('WithdrawPartnership', () => {
  it('withdraws the partnership for a reason', () => {
    given([proposed()]).when(withdraw()).then([withdrawn()]);
  });

  it('withdraws a partnership on hold without resuming it first', () => {
    given([...histories.introduced(), suspended('introduced')])
      .when(withdraw())
      .then([
        event('PartnershipWithdrawn', {
          reason: 'Priorities changed',
          fromStage: 'introduced',
          wasOnHold: true,
        }),
      ]);
  });

  it('requires a reason', () => {
    given([proposed()]).when(withdraw('')).thenThrows('validation.required', { field: 'reason' });
  });

  it.each(everyCommand().map((c) => [c.type, c] as const))(
    'refuses %s once withdrawn',
    (_type, lateCommand) => {
      given([...histories.projectActive(), withdrawn()])
        .when(lateCommand)
        .thenThrows('partnership.withdrawn');
    },
  );

  it('shows the partnership withdrawn', () => {
    const state = fold(partnershipDecider, [proposed(), withdrawn()]) as Partnership;
    expect({ stage: state.stage, status: state.status, reason: state.withdrawalReason }).toStrictEqual({
      stage: 'withdrawn',
      status: 'withdrawn',
      reason: 'Priorities changed',
    });
  });
});

describe('a command for another partnership', () => {
  it('is refused as not found', () => {
    const other = {
      ...suspend(),
      data: { partnershipId: `${PARTNERSHIP_ID.slice(0, -1)}9`, reason: 'Budget freeze' },
    };
    given([proposed()]).when(other).thenThrows('partnership.not_found');
  });
});
