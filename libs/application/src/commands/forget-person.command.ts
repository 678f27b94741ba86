import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { currentVersionOf, PersonForgotten, personStreamId, SubjectKind } from '@passerelle/domain';
import { Actor, EVENT_STORE, EventStore } from '@passerelle/event-store';
import { MasterKey, PERSON_KEY_STORE, PersonKeyStore } from '@passerelle/privacy';
import { CommandResult } from '../command-context';
import { CommandExecutor } from '../command-executor';
import { deterministicUuid } from '../ids';
import { MASTER_KEY } from '../infrastructure/personal-data.providers';

export class ForgetPersonCommand extends Command<CommandResult> {
  constructor(
    readonly kind: SubjectKind,
    readonly value: string,
    readonly actor: Actor,
    readonly correlationId: string,
  ) {
    super();
  }
}

/**
 * Deletes the person's key (their fields read as "[erased]" from then on, in every event; the command
 * side drops the states it kept, which may hold them in clear), records
 * the tombstone so nothing of them is stored again, then appends PersonForgotten to their own stream.
 * The event holds the keyed hash only. Its id derives from the subject: forgetting again answers the
 * first result and appends nothing.
 */
@CommandHandler(ForgetPersonCommand)
export class ForgetPersonHandler implements ICommandHandler<ForgetPersonCommand> {
  constructor(
    @Inject(PERSON_KEY_STORE) private readonly keys: PersonKeyStore,
    @Inject(MASTER_KEY) private readonly master: MasterKey,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CommandExecutor) private readonly executor: CommandExecutor,
  ) {}

  async execute({ kind, value, actor, correlationId }: ForgetPersonCommand): Promise<CommandResult> {
    const subject = this.master.subjectOf(kind, value);
    const { forgottenAt } = await this.keys.forget(subject);
    this.executor.forgetDecisionStates();
    const commandId = deterministicUuid('forget-person', subject);
    const event: PersonForgotten = {
      type: 'PersonForgotten',
      data: { subject, forgottenAt: forgottenAt.toISOString() },
    };
    const { revision, position } = await this.store.appendToStream(
      personStreamId(subject),
      [
        {
          id: deterministicUuid('event', commandId, 0),
          type: event.type,
          version: currentVersionOf(event.type),
          data: event.data,
          // No request hash: a hash of the request would be a hash of the address.
          metadata: { actor, correlationId, commandId, causationId: commandId },
        },
      ],
      'any',
    );
    return { id: subject, revision, position };
  }
}
