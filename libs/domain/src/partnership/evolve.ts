import { ignoreUnknown } from '../shared/decider';
import { evolveAgreements } from './agreements';
import type { PartnershipEvent } from './events';
import { evolveSideState } from './lifecycle';
import { evolveMeetings } from './meetings';
import { evolveMous } from './mous';
import { evolveProjects } from './projects';
import { evolveProposed } from './proposal';
import type { PartnershipState } from './state';

/**
 * The partnership after one more event. As `decidePartnership` sends each command to its topic, this sends
 * each event to the same topic's evolve (meetings, agreements, projects, MOUs, side states), after the
 * bookkeeping every step shares: the time of the last change and the latest business date.
 */
export const evolvePartnership = (state: PartnershipState, event: PartnershipEvent): PartnershipState => {
  if (event.type === 'PartnershipProposed') return evolveProposed(event);
  if (state.status === 'none') return state;
  const { on, occurredAt: updatedAt } = event.data;
  // An expiry is the scheduler's: whether it has been recorded yet must not change what a later step may be dated.
  const lastStepOn = event.type === 'AgreementExpired' || on <= state.lastStepOn ? state.lastStepOn : on;
  const partnership = { ...state, updatedAt, lastStepOn };

  switch (event.type) {
    case 'IntroductionMeetingScheduled':
    case 'IntroductionMeetingRescheduled':
    case 'IntroductionMeetingCancelled':
    case 'IntroductionMeetingHeld':
      return evolveMeetings(partnership, event);
    case 'AgreementDrafted':
    case 'AgreementAmended':
    case 'AgreementSigned':
    case 'AgreementExecuted':
    case 'AgreementExpired':
      return evolveAgreements(partnership, event);
    case 'JointProjectLaunched':
    case 'JointProjectMilestoneReached':
    case 'JointProjectCompleted':
      return evolveProjects(partnership, event);
    case 'MouDrafted':
    case 'MouSigned':
    case 'MouExecuted':
      return evolveMous(partnership, event);
    case 'PartnershipSuspended':
    case 'PartnershipResumed':
    case 'PartnershipWithdrawn':
      return evolveSideState(partnership, event);
    default:
      ignoreUnknown(event);
      return state;
  }
};
