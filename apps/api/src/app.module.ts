import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '@passerelle/config';
import { LoggerModule } from 'nestjs-pino';
import { AppConfigModule, ApplicationModule, InfrastructureModule } from '@passerelle/application';
import { AuthGuard } from './auth/auth.guard';
import { TokenVerifier } from './auth/token-verifier';
import { DashboardModule } from './dashboard/dashboard.module';
import { HealthController } from './health/health.controller';
import { ProblemFilter } from './http/problem.filter';
import { createLogger, ROOT_LOGGER } from './http/request-logging';
import { OrganizationsController } from './organizations/organizations.controller';
import { PartnershipCommandsController } from './partnerships/partnership-commands.controller';
import { HistoryDocuments } from './partnerships/history-documents';
import { PartnershipStateController } from './partnerships/partnership-state.controller';
import { ReadModelsModule } from './read-models/read-models.module';
import { DemoLoader } from './demo/demo-loader';
import { Importer } from './import/importer';
import { PrivacyModule } from './privacy/privacy.module';
import { NotificationsModule } from './notifications/notifications.module';
import { MetricsModule } from './metrics/metrics.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const throttle = config.rateLimitPerMinute > 0;
    const logger = createLogger(config.logLevel);
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        // Nest's log lines go to this logger; requests are numbered and logged by requestLogging
        // (bootstrap.ts), which writes nothing, and builds nothing, until a line is logged.
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] }),
        CqrsModule.forRoot(),
        TerminusModule,
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: Math.max(config.rateLimitPerMinute, 1) }],
          skipIf: () => !throttle,
        }),
        InfrastructureModule,
        ApplicationModule,
        DashboardModule,
        ReadModelsModule,
        PrivacyModule,
        NotificationsModule,
        MetricsModule,
      ],
      controllers: [
        HealthController,
        OrganizationsController,
        PartnershipCommandsController,
        PartnershipStateController,
      ],
      providers: [
        TokenVerifier,
        { provide: ROOT_LOGGER, useValue: logger },
        DemoLoader,
        HistoryDocuments,
        Importer,
        // Without a rate limit the guard would only decide, on every request, to skip itself.
        ...(throttle ? [{ provide: APP_GUARD, useClass: ThrottlerGuard }] : []),
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
