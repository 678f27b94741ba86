import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { RegisterOrganizationHandler } from './commands/register-organization.command';
import { PartnershipCommandHandler } from './commands/partnership-command';
import { AggregateStreams } from './aggregate-streams';
import { CommandExecutor } from './command-executor';
import { MeasuredCommandBus } from './measured-command-bus';
import { OrganizationDirectory } from './organization-directory';

/**
 * The command side without HTTP: load → decide → append, and the stream reader. The API's controllers,
 * the import and the worker's timers (e.g. an agreement's term ending) all send commands through
 * MeasuredCommandBus, which routes them with Nest's CommandBus to the typed handlers here.
 */
@Module({
  imports: [CqrsModule],
  providers: [
    AggregateStreams,
    CommandExecutor,
    MeasuredCommandBus,
    OrganizationDirectory,
    RegisterOrganizationHandler,
    PartnershipCommandHandler,
  ],
  exports: [AggregateStreams, CommandExecutor, MeasuredCommandBus, OrganizationDirectory, CqrsModule],
})
export class ApplicationModule {}
