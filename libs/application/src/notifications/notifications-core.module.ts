import {
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnModuleInit,
  Provider,
  BeforeApplicationShutdown,
  DynamicModule,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import type { SqlClient } from '@passerelle/database';
import { EVENT_STORE, EventStore } from '@passerelle/event-store';
import {
  AGREEMENT_EXPIRY,
  AgreementExpiry,
  BullmqNotificationQueue,
  Mailer,
  MAILER,
  NOTIFICATION_QUEUE,
  NOTIFICATION_STORE,
  NotificationQueue,
  NotificationSettings,
  notificationSettingsFrom,
  NotificationsRuntime,
  NotificationStore,
  OutboxMailer,
  SmtpMailer,
  SqlNotificationStore,
} from '@passerelle/notifications';
import { LocalLocks, LockProvider, PostgresAdvisoryLocks } from '@passerelle/read-models';
import { ApplicationModule } from '../application.module';
import { CLOCK, Clock } from '../clock';
import { SQL_CLIENT } from '../infrastructure/infrastructure.module';
import { MASTER_KEY, PERSONAL_VALUES } from '../infrastructure/personal-data.providers';
import type { MasterKey, PersonalValues } from '@passerelle/privacy';
import { CommandBusAgreementExpiry } from './command-bus-agreement-expiry';
import { DISPATCHER_LOCKS, NOTIFICATION_SETTINGS, NOTIFICATIONS_RUNTIME } from './notification-tokens';

const logger = new Logger('Notifications');

/** Redis errors repeat on every reconnection attempt: one line when it starts failing, then one a minute. */
function throttledErrorLog(): (error: Error) => void {
  let last = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < 60_000) return;
    last = now;
    logger.warn(`Redis: ${error.message} (e-mails wait; commands are still accepted)`);
  };
}

/** Migrates the tables before the first request; starts the dispatcher and worker once the app is up. */
@Injectable()
export class NotificationsLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  constructor(
    @Inject(NOTIFICATION_STORE) private readonly store: NotificationStore,
    @Inject(NOTIFICATIONS_RUNTIME) private readonly runtime: NotificationsRuntime,
    @Inject(NOTIFICATION_SETTINGS) private readonly settings: NotificationSettings,
    @Inject(NOTIFICATION_QUEUE) private readonly queue: NotificationQueue,
    @Inject(MAILER) private readonly mailer: Mailer,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.store.migrate();
  }

  onApplicationBootstrap(): void {
    if (this.settings.inProcess) this.runtime.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
    await this.queue.close();
    await this.mailer.close();
  }
}

const settingsFromConfig = {
  provide: NOTIFICATION_SETTINGS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): NotificationSettings => notificationSettingsFrom(config),
};

/**
 * Notifications without HTTP: settings, the SQL store, the BullMQ queue, the mailer (SMTP, or the outbox
 * when SMTP_URL is unset), the dispatcher and the worker. The API imports it through NotificationsModule;
 * apps/worker runs it on its own, with its command-line tuning.
 */
@Module({})
export class NotificationsCoreModule {
  /** Settings from the application configuration, or as given (the worker's flags, tests' short delays). */
  static forRoot(settings?: NotificationSettings): DynamicModule {
    return {
      module: NotificationsCoreModule,
      imports: [ApplicationModule],
      providers: [
        settings ? { provide: NOTIFICATION_SETTINGS, useValue: settings } : settingsFromConfig,
        ...PROVIDERS,
      ],
      exports: [NOTIFICATION_SETTINGS, NOTIFICATION_STORE, NOTIFICATION_QUEUE, NOTIFICATIONS_RUNTIME],
    };
  }
}

const PROVIDERS: Provider[] = [
  {
    provide: NOTIFICATION_STORE,
    inject: [SQL_CLIENT, PERSONAL_VALUES],
    // Recipients sealed under each person's key, as in the log: forgetting someone erases them at once.
    useFactory: (client: SqlClient, personalValues: PersonalValues): NotificationStore =>
      new SqlNotificationStore(client, personalValues),
  },
  {
    provide: NOTIFICATION_QUEUE,
    inject: [NOTIFICATION_SETTINGS, CLOCK],
    useFactory: (settings: NotificationSettings, clock: Clock): NotificationQueue =>
      new BullmqNotificationQueue({
        redisUrl: settings.redisUrl,
        redisSentinel: settings.redisSentinel,
        prefix: settings.queuePrefix,
        attempts: settings.attempts,
        backoffMs: settings.backoffMs,
        concurrency: settings.concurrency,
        keepCompletedSeconds: settings.keepCompletedSeconds,
        lockDurationMs: settings.lockDurationMs,
        now: () => clock.now(),
        onError: throttledErrorLog(),
      }),
  },
  {
    provide: MAILER,
    inject: [NOTIFICATION_SETTINGS],
    useFactory: (settings: NotificationSettings): Mailer =>
      settings.smtpUrl
        ? new SmtpMailer(settings.smtpUrl, { maxConnections: settings.concurrency })
        : new OutboxMailer(settings.outboxDir),
  },
  {
    provide: DISPATCHER_LOCKS,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig): LockProvider =>
      config.databaseUrl
        ? new PostgresAdvisoryLocks({
            databaseUrl: config.databaseUrl,
            schema: config.databaseSchema,
            applicationName: 'passerelle:notifications-lock',
          })
        : new LocalLocks(),
  },
  { provide: AGREEMENT_EXPIRY, useClass: CommandBusAgreementExpiry },
  {
    provide: NOTIFICATIONS_RUNTIME,
    inject: [
      EVENT_STORE,
      NOTIFICATION_STORE,
      NOTIFICATION_QUEUE,
      MAILER,
      AGREEMENT_EXPIRY,
      DISPATCHER_LOCKS,
      NOTIFICATION_SETTINGS,
      CLOCK,
      MASTER_KEY,
    ],
    useFactory: (
      events: EventStore,
      store: NotificationStore,
      queue: NotificationQueue,
      mailer: Mailer,
      expiry: AgreementExpiry,
      locks: LockProvider,
      settings: NotificationSettings,
      clock: Clock,
      master: MasterKey,
    ) =>
      new NotificationsRuntime({
        events,
        store,
        queue,
        mailer,
        expiry,
        locks,
        settings,
        now: () => clock.now(),
        subjectOf: (email: string) => master.subjectOf('email', email),
        logger: {
          log: (m: string) => logger.log(m),
          warn: (m: string) => logger.warn(m),
          error: (m: string) => logger.error(m),
        },
      }),
  },
  NotificationsLifecycle,
];
