import { fail } from '../shared/errors';
import { requireText } from '../shared/validation';
import type { ResumePartnership, SuspendPartnership, WithdrawPartnership } from './commands';
import type { PartnershipEvent } from './events';
import type { Context } from './rules';

export const suspend = (command: SuspendPartnership, context: Context): PartnershipEvent[] => [
  {
    type: 'PartnershipSuspended',
    data: {
      partnershipId: context.partnership.id,
      reason: requireText(command.data.reason, 'reason'),
      fromStage: context.partnership.lifecycleStage,
      occurredAt: context.occurredAt,
    },
  },
];

export const resume = (_command: ResumePartnership, context: Context): PartnershipEvent[] => {
  if (context.partnership.status !== 'on_hold') {
    throw fail('partnership.not_on_hold', 'Only a partnership on hold can be resumed', {
      stage: context.partnership.stage,
    });
  }
  return [
    {
      type: 'PartnershipResumed',
      data: {
        partnershipId: context.partnership.id,
        toStage: context.partnership.lifecycleStage,
        occurredAt: context.occurredAt,
      },
    },
  ];
};

export const withdraw = (command: WithdrawPartnership, context: Context): PartnershipEvent[] => [
  {
    type: 'PartnershipWithdrawn',
    data: {
      partnershipId: context.partnership.id,
      reason: requireText(command.data.reason, 'reason'),
      fromStage: context.partnership.lifecycleStage,
      wasOnHold: context.partnership.status === 'on_hold',
      occurredAt: context.occurredAt,
    },
  },
];
