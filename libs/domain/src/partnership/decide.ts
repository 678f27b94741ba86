import { assertNever } from '../shared/decider';
import { fail } from '../shared/errors';
import { amendAgreement, draftAgreement, expireAgreement, signAgreement } from './agreements';
import type { PartnershipCommand } from './commands';
import type { PartnershipEvent } from './events';
import { resume, suspend, withdraw } from './lifecycle';
import { cancelMeeting, recordMeetingOutcome, rescheduleMeeting, scheduleMeeting } from './meetings';
import { draftMou, signMou } from './mous';
import { completeProject, launchProject, reachMilestone } from './projects';
import { propose } from './proposal';
import { contextOf } from './rules';
import type { PartnershipState } from './state';

/**
 * While on hold, only resuming, withdrawing and the scheduler's expiry are accepted: a suspension pauses the
 * work, not the calendar, and should not force a revival before the partnership can be ended.
 */
const ACCEPTED_ON_HOLD: ReadonlySet<PartnershipCommand['type']> = new Set([
  'ResumePartnership',
  'WithdrawPartnership',
  'ExpireAgreement',
]);

export const decidePartnership = (
  command: PartnershipCommand,
  state: PartnershipState,
): PartnershipEvent[] => {
  if (command.type === 'ProposePartnership') return propose(command, state);

  if (state.status === 'none' || state.id !== command.data.partnershipId) {
    throw fail('partnership.not_found', `Partnership ${command.data.partnershipId} not found`, {
      partnershipId: command.data.partnershipId,
    });
  }
  if (state.status === 'withdrawn') {
    throw fail('partnership.withdrawn', `Partnership ${state.id} has been withdrawn`, {
      partnershipId: state.id,
    });
  }
  if (state.status === 'on_hold' && !ACCEPTED_ON_HOLD.has(command.type)) {
    throw fail('partnership.on_hold', `Partnership ${state.id} is on hold; resume it first`, {
      partnershipId: state.id,
      stageBeforeHold: state.stageBeforeHold,
    });
  }

  const context = contextOf(state, command.metadata);
  switch (command.type) {
    case 'ScheduleIntroductionMeeting':
      return scheduleMeeting(command, context);
    case 'RescheduleIntroductionMeeting':
      return rescheduleMeeting(command, context);
    case 'CancelIntroductionMeeting':
      return cancelMeeting(command, context);
    case 'RecordIntroductionMeetingOutcome':
      return recordMeetingOutcome(command, context);
    case 'DraftAgreement':
      return draftAgreement(command, context);
    case 'AmendAgreement':
      return amendAgreement(command, context);
    case 'SignAgreement':
      return signAgreement(command, context);
    case 'ExpireAgreement':
      return expireAgreement(command, context);
    case 'LaunchJointProject':
      return launchProject(command, context);
    case 'ReachJointProjectMilestone':
      return reachMilestone(command, context);
    case 'CompleteJointProject':
      return completeProject(command, context);
    case 'DraftMou':
      return draftMou(command, context);
    case 'SignMou':
      return signMou(command, context);
    case 'SuspendPartnership':
      return suspend(command, context);
    case 'ResumePartnership':
      return resume(command, context);
    case 'WithdrawPartnership':
      return withdraw(command, context);
    default:
      return assertNever(command, 'partnership command');
  }
};
