import type { OrganizationFacts } from '../shared/metadata';
import {
  AGREEMENT_ID,
  command,
  FR_COMPANY,
  GOBIZ,
  IHUB,
  lifecycleCommands,
  MEETING_ID,
  MOU_ID,
  OBSERVER,
  POLE,
  REGION,
  US_COMPANY,
} from '../testing/fixtures';
import type { PartnershipCommand } from './commands';
import { partnershipDecider } from './decider';
import { organizationFactsNeeded } from './organization-facts';
import type { PartnershipState } from './state';

/** The facts the application would load for this command: only the ids asked for, contacts only if asked. */
const restricted = (next: PartnershipCommand, state: PartnershipState): PartnershipCommand => {
  const need = organizationFactsNeeded(next, state);
  const all = next.metadata.organizations ?? {};
  const organizations: Record<string, OrganizationFacts> = {};
  for (const id of need.ids) {
    if (all[id]) organizations[id] = need.contacts ? all[id] : { ...all[id], contacts: [] };
  }
  return { ...next, metadata: { ...next.metadata, organizations } } as PartnershipCommand;
};

/** What a decision answers: its events, or the error it refuses with. */
const outcome = (next: PartnershipCommand, state: PartnershipState): unknown => {
  try {
    return partnershipDecider.decide(next, state);
  } catch (error) {
    return { refused: error };
  }
};

/** Decides every command both ways, then moves on with the full-facts result. */
const compareAlong = (commands: PartnershipCommand[]) => {
  let state = partnershipDecider.initialState();
  const compared: { type: string; full: unknown; needed: unknown }[] = [];
  for (const next of commands) {
    const full = outcome(next, state);
    compared.push({ type: next.type, full, needed: outcome(restricted(next, state), state) });
    if (Array.isArray(full)) state = full.reduce(partnershipDecider.evolve, state);
  }
  return compared;
};

describe('the organisation facts a partnership command needs', () => {
  it('are enough for every command of a whole lifecycle: same events as with every fact', () => {
    for (const { type, full, needed } of compareAlong(lifecycleCommands())) {
      expect({ type, outcome: needed }).toEqual({ type, outcome: full });
    }
  });

  it('are enough to refuse what every fact refuses, for the same reason', () => {
    const [propose, schedule, , , draft] = lifecycleCommands();
    const commands: PartnershipCommand[] = [
      command('ProposePartnership', {
        title: 'One side only',
        parties: [IHUB.id, US_COMPANY.id],
        sectors: ['blue_economy'],
        axes: ['investment'],
      }),
      command('ProposePartnership', {
        title: 'Unregistered party',
        parties: [IHUB.id, '0a000000-0000-4000-8000-0000000000ff'],
        sectors: ['blue_economy'],
        axes: ['investment'],
      }),
      propose!,
      command('ScheduleIntroductionMeeting', {
        meetingId: '6f1c0d1e-5b7a-4c1e-9a53-0c2f4d1a0199',
        startsAt: '2025-04-01T17:00:00Z',
        attendees: ['eve@sousmarine.example.fr'],
      }),
      schedule!,
      command('RecordIntroductionMeetingOutcome', {
        meetingId: MEETING_ID,
        heldAt: '2025-01-21T17:00:00Z',
        outcome: 'interested',
        attendeesPresent: ['alice@ihub.example.org', OBSERVER, 'dan@oceanrobotics.example.com'],
      }),
      command('RecordIntroductionMeetingOutcome', {
        meetingId: MEETING_ID,
        heldAt: '2025-01-21T17:00:00Z',
        outcome: 'interested',
        attendeesPresent: ['alice@ihub.example.org', OBSERVER],
      }),
      command('DraftAgreement', {
        agreementId: AGREEMENT_ID,
        title: 'One side only',
        termMonths: 12,
        signatories: [IHUB.id],
      }),
      draft!,
      command('AmendAgreement', {
        agreementId: AGREEMENT_ID,
        reason: 'Outsider',
        signatories: [IHUB.id, FR_COMPANY.id],
      }),
      command('AmendAgreement', { agreementId: AGREEMENT_ID, reason: 'Shorter', termMonths: 24 }),
      command('DraftMou', { mouId: MOU_ID, title: 'Not yet', signatories: [GOBIZ.id, REGION.id, POLE.id] }),
    ];
    const compared = compareAlong(commands);
    for (const { type, full, needed } of compared) {
      expect({ type, outcome: needed }).toEqual({ type, outcome: full });
    }
    expect(compared.filter(({ full }) => !Array.isArray(full)).length).toBeGreaterThanOrEqual(6);
  });

  it('are none for the commands that decide on the partnership alone', () => {
    const state = lifecycleCommands()
      .slice(0, 8)
      .reduce(
        (current, next) =>
          partnershipDecider.decide(next, current).reduce(partnershipDecider.evolve, current),
        partnershipDecider.initialState(),
      );
    for (const type of [
      'RescheduleIntroductionMeeting',
      'CancelIntroductionMeeting',
      'SignAgreement',
      'ExpireAgreement',
      'LaunchJointProject',
      'ReachJointProjectMilestone',
      'CompleteJointProject',
      'SignMou',
      'SuspendPartnership',
      'ResumePartnership',
      'WithdrawPartnership',
    ] as const) {
      expect({
        type,
        need: organizationFactsNeeded({ type, data: {} }, state),
      }).toEqual({ type, need: { ids: [], contacts: false } });
    }
  });
});
