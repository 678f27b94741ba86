import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { LoggerModule } from 'nestjs-pino';
import { CommandExecutor } from './application/command-executor';
import { OrganizationDirectory } from './application/organization-directory';
import { AuthGuard } from './auth/auth.guard';
import { TokenVerifier } from './auth/token-verifier';
import { HealthController } from './health/health.controller';
import { ProblemFilter } from './http/problem.filter';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { OrganizationsController } from './organizations/organizations.controller';
import { RegisterOrganizationHandler } from './organizations/register-organization.command';
import { PartnershipCommandHandler } from './partnerships/partnership-command';
import { PartnershipCommandsController } from './partnerships/partnership-commands.controller';
import { PartnershipStateController } from './partnerships/partnership-state.controller';
import { DemoLoader } from './demo/demo-loader';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const throttle = config.rateLimitPerMinute > 0;
    return {
      module: AppModule,
      imports: [
        { module: class ConfigHolder {}, global: true, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] },
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            autoLogging: { ignore: (req) => req.url?.startsWith('/health') ?? false },
            redact: ['req.headers.authorization'],
          },
        }),
        CqrsModule.forRoot(),
        TerminusModule,
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(config.rateLimitPerMinute, 1) }],
          skipIf: () => !throttle,
        }),
        InfrastructureModule,
      ],
      controllers: [HealthController, OrganizationsController, PartnershipCommandsController, PartnershipStateController],
      providers: [
        CommandExecutor,
        OrganizationDirectory,
        TokenVerifier,
        RegisterOrganizationHandler,
        PartnershipCommandHandler,
        DemoLoader,
        { provide: APP_GUARD, useClass: ThrottlerGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
