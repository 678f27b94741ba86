import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { isDomainError } from '@passerelle/domain';
import type { Actor } from '@passerelle/event-store';
import type { AgreementExpiry, ExpiryOutcome } from '@passerelle/notifications';
import type { CommandContext } from '../command-context';
import { canonicalJson, deterministicUuid, sha256 } from '../ids';
import { PartnershipCommand } from '../commands/partnership-command';

/** Who appends `AgreementExpired`: recorded in the event's metadata like any officer. */
export const SCHEDULER_ACTOR: Actor = {
  sub: 'passerelle-scheduler',
  name: 'Agreement term scheduler',
  roles: [],
};

/**
 * The end of an agreement's term, through the command path like any other change. The command id derives
 * from the agreement, so a timer that fires twice appends `AgreementExpired` once.
 */
@Injectable()
export class CommandBusAgreementExpiry implements AgreementExpiry {
  constructor(@Inject(CommandBus) private readonly commandBus: CommandBus) {}

  async expire(partnershipId: string, agreementId: string): Promise<ExpiryOutcome> {
    const commandId = deterministicUuid('expire-agreement', partnershipId, agreementId);
    const context: CommandContext = {
      actor: SCHEDULER_ACTOR,
      commandId,
      requestHash: sha256(canonicalJson({ type: 'ExpireAgreement', partnershipId, agreementId })),
      correlationId: commandId,
    };
    try {
      await this.commandBus.execute(
        new PartnershipCommand(partnershipId, 'ExpireAgreement', { agreementId }, context),
      );
      return 'expired';
    } catch (error) {
      if (!isDomainError(error)) throw error;
      if (error.code === 'agreement.already_expired') return 'already_expired';
      if (error.code === 'agreement.term_not_ended') return 'not_due';
      return 'refused';
    }
  }
}
