import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import {
  checkActingFor,
  PartnershipCommand as DomainCommand,
  organizationFactsNeeded,
  partnershipDecider,
  streamIdFor,
} from '@passerelle/domain';
import { actingForOf } from '../acting-scope';
import { CommandContext, CommandResult } from '../command-context';
import { CommandExecutor } from '../command-executor';
import { OrganizationDirectory } from '../organization-directory';

type CommandType = DomainCommand['type'];
type DataOf<T extends CommandType> = Omit<Extract<DomainCommand, { type: T }>['data'], 'partnershipId'>;

/** One partnership command, as the HTTP edge hands it over: its type, its data, who sent it. */
export class PartnershipCommand<T extends CommandType = CommandType> extends Command<CommandResult> {
  constructor(
    readonly partnershipId: string,
    readonly type: T,
    readonly data: DataOf<T>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Check that the actor may act on this partnership, load the organisation facts its rule reads (most
 * read none), decide, append.
 */
@CommandHandler(PartnershipCommand)
export class PartnershipCommandHandler implements ICommandHandler<PartnershipCommand> {
  constructor(
    @Inject(CommandExecutor) private readonly executor: CommandExecutor,
    @Inject(OrganizationDirectory) private readonly directory: OrganizationDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ partnershipId, type, data, context }: PartnershipCommand): Promise<CommandResult> {
    const actingFor = actingForOf(context.actor);
    const { revision, position } = await this.executor.execute(
      streamIdFor.partnership(partnershipId),
      partnershipDecider,
      async (state, now) => {
        const organizations = await this.directory.factsFor(organizationFactsNeeded({ type, data }, state));
        return {
          type,
          data: { ...data, partnershipId },
          metadata: { now, organizations, observers: this.config.observerEmails },
        } as DomainCommand;
      },
      context,
      // Who may act for whom needs the partnership's parties: judged on the state the decision uses.
      actingFor === null ? {} : { authorize: (state) => checkActingFor(actingFor, { type, data }, state) },
    );
    return { id: partnershipId, revision, position };
  }
}
