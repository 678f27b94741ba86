/**
 * The application layer shared by the three processes (API, worker, projector) and the scripts: what
 * happens when a command runs (load → decide → append), the command handlers, and the Nest modules that
 * open the infrastructure. No HTTP here: the API's controllers are its callers.
 */
export * from './acting-scope';
export * from './application.module';
export * from './clock';
export * from './command-context';
export * from './command-executor';
export * from './decision-states';
export * from './errors';
export * from './ids';
export * from './organization-directory';
export * from './commands/forget-person.command';
export * from './commands/partnership-command';
export * from './commands/register-organization.command';
export * from './infrastructure/app-config.module';
export * from './infrastructure/infrastructure.module';
export * from './infrastructure/personal-data.providers';
export * from './notifications/command-bus-agreement-expiry';
export * from './notifications/notification-tokens';
export * from './notifications/notifications-core.module';
