import { assertNever } from '../shared/decider';
import { fail } from '../shared/errors';
import { requireText } from '../shared/validation';
import type { ResumePartnership, SuspendPartnership, WithdrawPartnership } from './commands';
import type {
  PartnershipEvent,
  PartnershipResumed,
  PartnershipSuspended,
  PartnershipWithdrawn,
} from './events';
import type { Partnership } from './state';
import { businessDate, Context, requireNotBefore } from './rules';

/** A side state acts on the partnership as it stands: not dated before the last step recorded. */
const sideStateDate = (value: unknown, context: Context, what: string): string => {
  const on = businessDate(value, context.today);
  requireNotBefore('partnership.before_last_step', `${what} cannot be dated before the last step`, on, {
    lastStepOn: context.partnership.lastStepOn,
  });
  return on;
};

export const suspend = (command: SuspendPartnership, context: Context): PartnershipEvent[] => {
  const reason = requireText(command.data.reason, 'reason');
  return [
    {
      type: 'PartnershipSuspended',
      data: {
        partnershipId: context.partnership.id,
        reason,
        fromStage: context.partnership.lifecycleStage,
        on: sideStateDate(command.data.on, context, 'A suspension'),
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export const resume = (command: ResumePartnership, context: Context): PartnershipEvent[] => {
  if (context.partnership.status !== 'on_hold') {
    throw fail('partnership.not_on_hold', 'Only a partnership on hold can be resumed', {
      stage: context.partnership.stage,
    });
  }
  const on = businessDate(command.data.on, context.today);
  // While on hold nothing but the scheduler's expiry is recorded: the last step is the suspension.
  requireNotBefore(
    'partnership.before_suspension',
    'A resumption cannot be dated before the suspension',
    on,
    {
      suspendedOn: context.partnership.lastStepOn,
    },
  );
  return [
    {
      type: 'PartnershipResumed',
      data: {
        partnershipId: context.partnership.id,
        toStage: context.partnership.lifecycleStage,
        on,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export const withdraw = (command: WithdrawPartnership, context: Context): PartnershipEvent[] => {
  const reason = requireText(command.data.reason, 'reason');
  return [
    {
      type: 'PartnershipWithdrawn',
      data: {
        partnershipId: context.partnership.id,
        reason,
        fromStage: context.partnership.lifecycleStage,
        wasOnHold: context.partnership.status === 'on_hold',
        on: sideStateDate(command.data.on, context, 'A withdrawal'),
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export type SideStateEvent = PartnershipSuspended | PartnershipResumed | PartnershipWithdrawn;

/** The partnership put on hold, resumed at the lifecycle stage it had reached, or withdrawn. */
export const evolveSideState = (partnership: Partnership, event: SideStateEvent): Partnership => {
  switch (event.type) {
    case 'PartnershipSuspended':
      return {
        ...partnership,
        status: 'on_hold',
        stage: 'on_hold',
        stageBeforeHold: partnership.lifecycleStage,
        suspensionReason: event.data.reason,
      };
    case 'PartnershipResumed':
      return {
        ...partnership,
        status: 'active',
        stage: partnership.lifecycleStage,
        stageBeforeHold: null,
        suspensionReason: null,
      };
    case 'PartnershipWithdrawn':
      return {
        ...partnership,
        status: 'withdrawn',
        stage: 'withdrawn',
        withdrawalReason: event.data.reason,
      };
    default:
      return assertNever(event, 'side state event');
  }
};
