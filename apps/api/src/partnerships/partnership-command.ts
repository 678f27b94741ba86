import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import {
  PartnershipCommand as DomainCommand,
  organizationFactsNeeded,
  partnershipDecider,
  streamIdFor,
} from '@passerelle/domain';
import { CommandContext, CommandResult } from '../application/command-context';
import { CommandExecutor } from '../application/command-executor';
import { OrganizationDirectory } from '../application/organization-directory';

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

/** Load the partnership and the organisation facts its rule reads (most read none), decide, append. */
@CommandHandler(PartnershipCommand)
export class PartnershipCommandHandler implements ICommandHandler<PartnershipCommand> {
  constructor(
    @Inject(CommandExecutor) private readonly executor: CommandExecutor,
    @Inject(OrganizationDirectory) private readonly directory: OrganizationDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ partnershipId, type, data, context }: PartnershipCommand): Promise<CommandResult> {
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
    );
    return { id: partnershipId, revision, position };
  }
}
