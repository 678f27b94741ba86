import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  organizationDecider,
  organizationNameDecider,
  organizationNameKey,
  RegisterOrganization,
  streamIdFor,
} from '@passerelle/domain';
import { CommandContext, CommandResult } from '../command-context';
import { CommandExecutor } from '../command-executor';

export class RegisterOrganizationCommand extends Command<CommandResult> {
  constructor(
    readonly organizationId: string,
    /** The registration as the domain takes it; its `id` is `organizationId`. */
    readonly body: Omit<RegisterOrganization['data'], 'id'>,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/**
 * Reserves the name in its country (a stream per name keeps names unique), then registers the
 * organisation. The registration is decided first, so a refused one reserves nothing; a repeat of an
 * applied registration goes straight to its replay (or to 422 with another body).
 */
@CommandHandler(RegisterOrganizationCommand)
export class RegisterOrganizationHandler implements ICommandHandler<RegisterOrganizationCommand> {
  constructor(@Inject(CommandExecutor) private readonly executor: CommandExecutor) {}

  async execute({ organizationId, body, context }: RegisterOrganizationCommand): Promise<CommandResult> {
    const register = (now: Date): RegisterOrganization => ({
      type: 'RegisterOrganization',
      data: {
        id: organizationId,
        name: body.name,
        kind: body.kind,
        country: body.country,
        region: body.region,
        sectors: body.sectors,
        website: body.website,
        contacts: body.contacts.map((c) => ({
          name: c.name,
          email: c.email,
          role: c.role,
          language: c.language,
        })),
      },
      metadata: { now },
    });
    const organization = streamIdFor.organization(organizationId);
    const { alreadyApplied } = await this.executor.check(
      organization,
      organizationDecider,
      (_, now) => register(now),
      context,
    );
    if (!alreadyApplied) {
      const key = organizationNameKey(body.country, body.name);
      await this.executor.execute(
        streamIdFor.organizationName(key),
        organizationNameDecider,
        (_, now) => ({
          type: 'ReserveOrganizationName' as const,
          data: { key, organizationId, name: body.name, country: body.country },
          metadata: { now },
        }),
        { ...context, commandId: `${context.commandId}:name`, ifMatch: undefined },
      );
    }
    const { revision, position } = await this.executor.execute(
      organization,
      organizationDecider,
      (_, now) => register(now),
      context,
    );
    return { id: organizationId, revision, position };
  }
}
