import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AppConfig } from '@passerelle/config';
import { NotificationSettings, notificationSettingsFrom } from '@passerelle/notifications';
import {
  AppConfigModule,
  ApplicationModule,
  createProcessLogger,
  InfrastructureModule,
  NotificationsCoreModule,
} from '@passerelle/application';
import { LoggerModule } from 'nestjs-pino';

/**
 * The notification worker without HTTP: the store and the command side (for `AgreementExpired`), the
 * dispatcher (one active instance across processes, by advisory lock) and the BullMQ consumers.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, tuning: Partial<NotificationSettings> = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        // Nest's lines (and the notifications' Logger) go to the process logger, as the API's do.
        LoggerModule.forRoot({
          pinoHttp: { logger: createProcessLogger('worker', config.logLevel) },
          useExisting: true,
          forRoutes: [],
        }),
        CqrsModule.forRoot(),
        InfrastructureModule,
        ApplicationModule,
        NotificationsCoreModule.forRoot(notificationSettingsFrom(config, { ...tuning, inProcess: true })),
      ],
    };
  }
}
