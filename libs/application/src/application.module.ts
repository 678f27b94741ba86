import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { RegisterOrganizationHandler } from './commands/register-organization.command';
import { PartnershipCommandHandler } from './commands/partnership-command';
import { CommandExecutor } from './command-executor';
import { OrganizationDirectory } from './organization-directory';

/**
 * The command side without HTTP: load → decide → append. The API's controllers and the worker's timers
 * (e.g. an agreement's term ending) both dispatch through its CommandBus.
 */
@Module({
  imports: [CqrsModule],
  providers: [CommandExecutor, OrganizationDirectory, RegisterOrganizationHandler, PartnershipCommandHandler],
  exports: [CommandExecutor, OrganizationDirectory, CqrsModule],
})
export class ApplicationModule {}
