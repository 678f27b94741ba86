import type {
  EventStore,
  LockProvider,
  ProcessorCheckpoints,
  ProcessorLogger,
} from '@passerelle/event-store';
import type { AgreementExpiry } from '../ports/agreement-expiry.port';
import type { Mailer } from '../ports/mailer.port';
import type { NotificationQueue } from '../ports/notification-queue.port';
import type { NotificationStore } from '../ports/notification-store.port';
import type { NotificationSettings } from '../settings';
import { DispatcherStatus, NotificationDispatcher } from './dispatcher';
import { NotificationDelivery } from './delivery';
import { FactsLoader } from './facts-loader';

export interface RuntimeDeps {
  events: EventStore;
  store: NotificationStore;
  queue: NotificationQueue;
  mailer: Mailer;
  expiry: AgreementExpiry;
  locks: LockProvider;
  /** The dispatcher's checkpoint (`processor_checkpoints`), claimed and advanced under its lease. */
  checkpoints: ProcessorCheckpoints;
  settings: NotificationSettings;
  now: () => Date;
  logger: ProcessorLogger;
  /** The keyed subject of an address (MasterKey.subjectOf): to erase forgotten people, and in the audit. */
  subjectOf: (email: string) => string;
}

export interface NotificationsHealth {
  /** `degraded`: Redis is unreachable; commands are still accepted and nothing is lost, e-mails wait. */
  status: 'up' | 'degraded';
  redis: 'up' | 'down';
  dispatcher: DispatcherStatus;
  /** Whether this process delivers messages. */
  worker: boolean;
  mailer: string;
}

/** The dispatcher and the worker of one process, started and stopped together. */
export class NotificationsRuntime {
  readonly dispatcher: NotificationDispatcher;
  readonly delivery: NotificationDelivery;
  private started = false;

  constructor(private readonly deps: RuntimeDeps) {
    // The dispatcher memoises per batch; the worker keeps a small cache across messages.
    this.dispatcher = new NotificationDispatcher({ ...deps, facts: new FactsLoader(deps.events) });
    this.delivery = new NotificationDelivery({
      ...deps,
      facts: new FactsLoader(deps.events, { partnerships: 200, organizationTtlMs: 5000 }),
    });
  }

  /** Starts in the background: a Redis that is down delays e-mails, not the start. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.deps.queue.consume(this.delivery);
    this.dispatcher.start();
    this.deps.logger.log(
      `Notifications: dispatcher and worker started, delivering to ${this.deps.mailer.description}`,
    );
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.dispatcher.stop();
    await this.deps.queue.stopConsuming();
  }

  async health(): Promise<NotificationsHealth> {
    const redis = (await this.deps.queue.ping()) ? 'up' : 'down';
    return {
      status: redis === 'up' ? 'up' : 'degraded',
      redis,
      dispatcher: this.dispatcher.status(),
      worker: this.started,
      mailer: this.deps.mailer.description,
    };
  }
}
