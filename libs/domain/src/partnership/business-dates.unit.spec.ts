import type { DomainErrorCode } from '../shared/errors';
import { fold } from '../shared/decider';
import { DeciderSpecification } from '../testing/decider-spec';
import {
  AGREEMENT_ID,
  agreementDrafted,
  agreementExecuted,
  agreementSigned,
  attendee,
  command,
  event,
  GOBIZ,
  histories,
  IHUB,
  MEETING_ID,
  meetingHeld,
  meetingScheduled,
  MILESTONE_1,
  MOU_ID,
  mouDrafted,
  PARTIES,
  POLE,
  PROJECT_ID,
  proposed,
  REGION,
  suspended,
} from '../testing/fixtures';
import { partnershipDecider } from './decider';
import type { PartnershipEvent } from './events';
import type { Partnership } from './state';

const given = DeciderSpecification.for(partnershipDecider);

/** History entered long after the fact: an agreement signed on 12 January 2017 for 36 months. */
const TODAY = new Date('2026-12-01T10:00:00.000Z');
const RECORDED = TODAY.toISOString();

const history2017 = (): PartnershipEvent[] => [
  event(
    'PartnershipProposed',
    {
      title: 'Blue economy bridge',
      description: null,
      parties: PARTIES,
      sectors: ['blue_economy'],
      axes: ['technology_transfer'],
      on: '2016-11-02',
    },
    RECORDED,
  ),
  event(
    'IntroductionMeetingScheduled',
    {
      ...meetingScheduled().data,
      startsAt: '2016-11-15T17:00:00.000Z',
      endsAt: '2016-11-15T18:00:00.000Z',
      invitations: false,
      on: '2016-11-15',
    },
    RECORDED,
  ),
  event(
    'IntroductionMeetingHeld',
    {
      meetingId: MEETING_ID,
      heldAt: '2016-11-15T17:00:00.000Z',
      outcome: 'interested',
      minutes: null,
      attendeesPresent: null,
    },
    RECORDED,
  ),
  event('AgreementDrafted', { ...agreementDrafted().data, termMonths: 36, on: '2016-12-01' }, RECORDED),
  agreementSigned(IHUB, '2017-01-10', [POLE.id]),
  agreementSigned(POLE, '2017-01-12', []),
  event(
    'AgreementExecuted',
    { ...agreementExecuted('2017-01-12', '2020-01-12').data, termMonths: 36 },
    RECORDED,
  ),
];

/** What the scheduler records once the term has ended: dated the end of term. */
const expired2020 = () =>
  event(
    'AgreementExpired',
    { agreementId: AGREEMENT_ID, title: 'Cluster cooperation agreement', expiresOn: '2020-01-12' },
    RECORDED,
  );

const launch = (startsOn: string, now: Date = TODAY) =>
  command(
    'LaunchJointProject',
    {
      projectId: PROJECT_ID,
      title: 'Underwater drone testbed',
      startsOn,
      budget: { amount: 250000, currency: 'EUR' },
      fundingSources: ['Région Sud'],
      leads: [IHUB.id, POLE.id],
      milestones: [{ milestoneId: MILESTONE_1, title: 'Testbed specification', dueOn: '2017-06-30' }],
    },
    now,
  );

const launched = (startsOn: string, on: string = startsOn) =>
  event(
    'JointProjectLaunched',
    {
      projectId: PROJECT_ID,
      title: 'Underwater drone testbed',
      description: null,
      startsOn,
      budget: { amount: 250000, currency: 'EUR' },
      fundingSources: ['Région Sud'],
      leads: [IHUB.id, POLE.id],
      milestones: [{ milestoneId: MILESTONE_1, title: 'Testbed specification', dueOn: '2017-06-30' }],
      agreementIds: [AGREEMENT_ID],
      on,
    },
    RECORDED,
  );

describe('business dates: a step carries the day it happened, today when absent', () => {
  const propose = (on?: string) =>
    command(
      'ProposePartnership',
      { title: 'Blue economy bridge', parties: PARTIES, sectors: ['blue_economy'], axes: ['investment'], on },
      TODAY,
    );

  it('records the date given', () => {
    const [proposal] = partnershipDecider.decide(propose('2016-11-02'), fold(partnershipDecider, []));
    expect(proposal!.data).toMatchObject({ on: '2016-11-02', occurredAt: RECORDED });
  });

  it('dates a step without a date the UTC day of the command', () => {
    const [proposal] = partnershipDecider.decide(propose(), fold(partnershipDecider, []));
    expect(proposal!.data.on).toBe('2026-12-01');
  });

  it('refuses a date in the future, and one that is not a date', () => {
    given([])
      .when(propose('2026-12-02'))
      .thenThrows('business_date.in_future', { on: '2026-12-02', today: '2026-12-01' });
    given([]).when(propose('2016-02-30')).thenThrows('validation.invalid_date', { field: 'on' });
  });

  it('refuses a date in the future on every command that takes `on`', () => {
    const tomorrow = '2026-12-02';
    const cases: [PartnershipEvent[], Parameters<typeof partnershipDecider.decide>[0]][] = [
      [
        history2017().slice(0, 3),
        command(
          'DraftAgreement',
          { agreementId: 'a2', title: 'T', termMonths: 12, signatories: [IHUB.id, POLE.id], on: tomorrow },
          TODAY,
        ),
      ],
      [
        history2017().slice(0, 4),
        command('AmendAgreement', { agreementId: AGREEMENT_ID, reason: 'r', on: tomorrow }, TODAY),
      ],
      [
        [...history2017(), launched('2017-03-01')],
        command(
          'DraftMou',
          { mouId: MOU_ID, title: 'M', signatories: [GOBIZ.id, REGION.id], on: tomorrow },
          TODAY,
        ),
      ],
      [
        [proposed(), meetingScheduled({ startsAt: '2026-12-20T10:00:00.000Z' })],
        command('CancelIntroductionMeeting', { meetingId: MEETING_ID, reason: 'r', on: tomorrow }, TODAY),
      ],
      [history2017(), command('SuspendPartnership', { reason: 'r', on: tomorrow }, TODAY)],
      [
        [...history2017(), suspended('agreement_signed')],
        command('ResumePartnership', { on: tomorrow }, TODAY),
      ],
      [history2017(), command('WithdrawPartnership', { reason: 'r', on: tomorrow }, TODAY)],
    ];
    for (const [history, when] of cases) given(history).when(when).thenThrows('business_date.in_future');
  });
});

describe('business dates: never before the facts a step builds on', () => {
  it('dates a meeting already past the day it took place, and one to come the day it was scheduled', () => {
    const schedule = (startsAt: string) =>
      command(
        'ScheduleIntroductionMeeting',
        { meetingId: MEETING_ID, startsAt, attendees: [attendee(IHUB).email] },
        TODAY,
      );
    const [past] = partnershipDecider.decide(
      schedule('2016-11-15T17:00:00Z'),
      fold(partnershipDecider, [history2017()[0]!]),
    );
    const [coming] = partnershipDecider.decide(
      schedule('2027-01-15T17:00:00Z'),
      fold(partnershipDecider, [history2017()[0]!]),
    );
    expect([past!.data.on, coming!.data.on]).toStrictEqual(['2016-11-15', '2026-12-01']);
  });

  it('refuses a meeting starting before the partnership was proposed', () => {
    given([history2017()[0]!])
      .when(
        command(
          'ScheduleIntroductionMeeting',
          { meetingId: MEETING_ID, startsAt: '2016-10-31T17:00:00Z', attendees: [attendee(IHUB).email] },
          TODAY,
        ),
      )
      .thenThrows('partnership.before_proposal', { on: '2016-10-31', proposedOn: '2016-11-02' });
    given(history2017().slice(0, 2))
      .when(
        command(
          'RescheduleIntroductionMeeting',
          { meetingId: MEETING_ID, startsAt: '2016-11-01T17:00:00Z' },
          TODAY,
        ),
      )
      .thenThrows('partnership.before_proposal');
    given(history2017().slice(0, 2))
      .when(
        command('CancelIntroductionMeeting', { meetingId: MEETING_ID, reason: 'r', on: '2016-11-01' }, TODAY),
      )
      .thenThrows('partnership.before_proposal');
  });

  it('dates an outcome the day the meeting was held, and refuses one before the meeting started', () => {
    const outcome = (heldAt: string) =>
      command(
        'RecordIntroductionMeetingOutcome',
        { meetingId: MEETING_ID, heldAt, outcome: 'interested' },
        TODAY,
      );
    const [held] = partnershipDecider.decide(
      outcome('2016-11-15T18:00:00Z'),
      fold(partnershipDecider, history2017().slice(0, 2)),
    );
    expect(held!.data.on).toBe('2016-11-15');
    given(history2017().slice(0, 2))
      .when(outcome('2016-11-15T16:59:00Z'))
      .thenThrows('meeting.held_before_start', { startsAt: '2016-11-15T17:00:00.000Z' });
  });

  it('reads an outcome given as a date in the meeting’s own time zone', () => {
    // 01:00 UTC on 16 November is still 15 November in California, where the meeting took place.
    const history = [
      history2017()[0]!,
      event('IntroductionMeetingScheduled', {
        ...meetingScheduled().data,
        startsAt: '2016-11-16T01:00:00.000Z',
        endsAt: '2016-11-16T02:00:00.000Z',
        timezone: 'America/Los_Angeles',
        on: '2016-11-15',
      }),
    ];
    const outcome = (heldAt: string) =>
      command(
        'RecordIntroductionMeetingOutcome',
        { meetingId: MEETING_ID, heldAt, outcome: 'interested' },
        TODAY,
      );
    const [held] = partnershipDecider.decide(outcome('2016-11-15'), fold(partnershipDecider, history));
    expect(held!.data.on).toBe('2016-11-15');
    given(history).when(outcome('2016-11-14')).thenThrows('meeting.held_before_start');
  });

  it('refuses an agreement drafted before the parties were introduced', () => {
    given(history2017().slice(0, 3))
      .when(
        command(
          'DraftAgreement',
          {
            agreementId: 'a2',
            title: 'T',
            termMonths: 12,
            signatories: [IHUB.id, POLE.id],
            on: '2016-11-14',
          },
          TODAY,
        ),
      )
      .thenThrows('agreement.before_introduction', { on: '2016-11-14', introducedOn: '2016-11-15' });
  });

  it('refuses a signature dated before the agreement it signs', () => {
    given(history2017().slice(0, 4))
      .when(
        command(
          'SignAgreement',
          {
            agreementId: AGREEMENT_ID,
            organizationId: IHUB.id,
            signerName: 'Alice Walker',
            signedAt: '2016-11-30',
          },
          TODAY,
        ),
      )
      .thenThrows('signature.before_draft', { on: '2016-11-30', termsOn: '2016-12-01' });
  });

  it('dates the terms of an amendment: signatures come after it, and it comes after what it voids', () => {
    const amend = (on: string) =>
      command('AmendAgreement', { agreementId: AGREEMENT_ID, reason: 'Scope', on }, TODAY);
    const signed = [...history2017().slice(0, 4), agreementSigned(IHUB, '2017-01-10', [POLE.id])];
    given(history2017().slice(0, 4))
      .when(amend('2016-11-30'))
      .thenThrows('agreement.before_draft', { termsOn: '2016-12-01' });
    given(signed)
      .when(amend('2017-01-09'))
      .thenThrows('agreement.before_signature', { signedOn: '2017-01-10' });
    const amended = partnershipDecider.decide(amend('2017-01-11'), fold(partnershipDecider, signed));
    expect(amended[0]!.data.on).toBe('2017-01-11');
    given([...signed, ...amended])
      .when(
        command(
          'SignAgreement',
          {
            agreementId: AGREEMENT_ID,
            organizationId: IHUB.id,
            signerName: 'Alice Walker',
            signedAt: '2017-01-10',
          },
          TODAY,
        ),
      )
      .thenThrows('signature.before_draft', { termsOn: '2017-01-11' });
  });

  it('dates a signature and the execution the day of the signature', () => {
    const state = fold(partnershipDecider, history2017()) as Partnership;
    expect(state.agreements[0]).toMatchObject({
      draftedOn: '2016-12-01',
      termsOn: '2016-12-01',
      executedOn: '2017-01-12',
    });
    expect(
      history2017()
        .slice(-3)
        .map((e) => e.data.on),
    ).toStrictEqual(['2017-01-10', '2017-01-12', '2017-01-12']);
  });
});

describe('an agreement in force on the date of the step that needs it', () => {
  it('dates the expiry the end of term', () => {
    given(history2017())
      .when(command('ExpireAgreement', { agreementId: AGREEMENT_ID }, TODAY))
      .then([expired2020()]);
  });

  it('accepts a project dated inside the term recorded after the expiry (the race with the timer)', () => {
    given([...history2017(), expired2020()])
      .when(launch('2017-03-01'))
      .then([launched('2017-03-01')]);
  });

  it('decides the same whether or not the expiry has been recorded yet', () => {
    given(history2017())
      .when(launch('2017-03-01'))
      .then([launched('2017-03-01')]);
    const afterTimer = fold(partnershipDecider, [
      ...history2017(),
      expired2020(),
      launched('2017-03-01'),
    ]) as Partnership;
    expect(afterTimer.stage).toBe('project_active');
  });

  it('refuses a project starting before the agreement it would rest on was executed', () => {
    given(history2017())
      .when(launch('2017-01-11'))
      .thenThrows('project.before_agreement', {
        startsOn: '2017-01-11',
        agreements: [{ agreementId: AGREEMENT_ID, executedOn: '2017-01-12', expiresOn: '2020-01-12' }],
      });
  });

  it('counts the day of execution in the term and the end-of-term day out of it', () => {
    given(history2017())
      .when(launch('2017-01-12'))
      .then([launched('2017-01-12')]);
    given(history2017())
      .when(launch('2020-01-11'))
      .then([launched('2020-01-11')]);
    given(history2017())
      .when(launch('2020-01-12'))
      .thenThrows('project.agreement_ended', { startsOn: '2020-01-12' });
  });

  it('refuses a project starting after the term, whether or not the expiry has been recorded', () => {
    for (const history of [history2017(), [...history2017(), expired2020()]]) {
      given(history).when(launch('2021-05-01')).thenThrows('project.agreement_ended');
    }
  });

  it('refuses a milestone or a completion dated before the project started', () => {
    const running = [...history2017(), launched('2017-03-01')];
    given(running)
      .when(
        command(
          'ReachJointProjectMilestone',
          { projectId: PROJECT_ID, milestoneId: MILESTONE_1, reachedOn: '2017-02-28' },
          TODAY,
        ),
      )
      .thenThrows('milestone.before_project_start', { startsOn: '2017-03-01' });
    given(running)
      .when(command('CompleteJointProject', { projectId: PROJECT_ID, completedOn: '2017-02-28' }, TODAY))
      .thenThrows('project.completed_before_start', { startsOn: '2017-03-01' });
  });
});

describe('an MOU judged on its date', () => {
  const draftMou = (on: string) =>
    command('DraftMou', { mouId: MOU_ID, title: 'MOU', signatories: [GOBIZ.id, REGION.id], on }, TODAY);
  const withProject = () => [...history2017(), launched('2017-03-01')];

  it('accepts an MOU once an agreement was executed and a project launched on or before its date', () => {
    const [drafted] = partnershipDecider.decide(
      draftMou('2017-03-01'),
      fold(partnershipDecider, withProject()),
    );
    expect(drafted!.data.on).toBe('2017-03-01');
  });

  it('accepts it after the agreement’s term has ended: the agreement was executed before', () => {
    const [drafted] = partnershipDecider.decide(
      draftMou('2021-02-15'),
      fold(partnershipDecider, [...withProject(), expired2020()]),
    );
    expect(drafted!.data.on).toBe('2021-02-15');
  });

  it('refuses an MOU dated before any agreement was executed', () => {
    given(withProject())
      .when(draftMou('2017-01-11'))
      .thenThrows('mou.no_executed_agreement', { on: '2017-01-11' });
  });

  it('refuses an MOU dated before any joint project was launched', () => {
    given(withProject())
      .when(draftMou('2017-02-28'))
      .thenThrows('mou.no_joint_project', { on: '2017-02-28' });
  });

  it('refuses an MOU signature dated before the MOU', () => {
    given(histories.mouDrafted())
      .when(
        command('SignMou', {
          mouId: MOU_ID,
          organizationId: GOBIZ.id,
          signerName: 'Dee Myers',
          signedAt: '2025-03-06',
        }),
      )
      .thenThrows('signature.before_draft', { termsOn: mouDrafted().data.on });
  });
});

describe('side states come after the last step', () => {
  const cases: [
    string,
    PartnershipEvent[],
    Parameters<typeof partnershipDecider.decide>[0],
    DomainErrorCode,
    Record<string, string>,
  ][] = [
    [
      'a suspension',
      history2017(),
      command('SuspendPartnership', { reason: 'r', on: '2017-01-11' }, TODAY),
      'partnership.before_last_step',
      { on: '2017-01-11', lastStepOn: '2017-01-12' },
    ],
    [
      'a withdrawal',
      history2017(),
      command('WithdrawPartnership', { reason: 'r', on: '2017-01-11' }, TODAY),
      'partnership.before_last_step',
      { on: '2017-01-11', lastStepOn: '2017-01-12' },
    ],
    [
      'a resumption',
      [
        ...history2017(),
        event('PartnershipSuspended', { reason: 'r', fromStage: 'agreement_signed', on: '2018-01-01' }),
      ],
      command('ResumePartnership', { on: '2017-12-31' }, TODAY),
      'partnership.before_suspension',
      { on: '2017-12-31', suspendedOn: '2018-01-01' },
    ],
  ];
  it.each(cases)('refuses %s dated before it', (_what, history, when, code, details) => {
    given(history).when(when).thenThrows(code, details);
  });

  it('does not count the scheduler’s expiry as a step: withdrawing in 2018 is the same before and after it', () => {
    const withdraw = command(
      'WithdrawPartnership',
      { reason: 'Priorities changed', on: '2018-06-01' },
      TODAY,
    );
    const before = partnershipDecider.decide(withdraw, fold(partnershipDecider, history2017()));
    const after = partnershipDecider.decide(
      withdraw,
      fold(partnershipDecider, [...history2017(), expired2020()]),
    );
    expect(after).toStrictEqual(before);
    expect(before[0]!.data.on).toBe('2018-06-01');
  });

  it('keeps the latest business date of the steps in the state', () => {
    const state = fold(partnershipDecider, [proposed(), meetingScheduled(), meetingHeld()]) as Partnership;
    expect({ proposedOn: state.proposedOn, lastStepOn: state.lastStepOn }).toStrictEqual({
      proposedOn: '2025-02-03',
      lastStepOn: '2025-03-03',
    });
  });
});
