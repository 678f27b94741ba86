import { isDomainEventType, isPartnershipStream, PartnershipEvent, upcast } from '@passerelle/domain';
import type { EventStore, RecordedEvent, Subscription } from '@passerelle/event-store';
import type { Lease, LockProvider } from '@passerelle/read-models';
import { PlannedNotification, PlannedTimer, sendJobOf, timerJobOf } from '../model';
import { planEvent } from '../planning/plan-event';
import type { NotificationQueue } from '../ports/notification-queue.port';
import { CheckpointMovedError, NotificationStore } from '../ports/notification-store.port';
import type { NotificationSettings } from '../settings';
import type { FactsLoader, LoadedPartnership } from './facts-loader';
import { describeError, NotificationsLogger, pause } from './logger';

export interface DispatcherStatus {
  /** Whether this process holds the dispatcher's lock and follows the log. */
  active: boolean;
  /** Last position whose jobs are in the queue. */
  position: number;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface DispatcherDeps {
  events: EventStore;
  store: NotificationStore;
  queue: NotificationQueue;
  facts: FactsLoader;
  locks: LockProvider;
  settings: NotificationSettings;
  now: () => Date;
  logger: NotificationsLogger;
  /** The keyed subject a person is known by in the log (PersonForgotten names them by it). */
  subjectOf?: (email: string) => string;
}

const PERSON_FORGOTTEN = 'PersonForgotten';
class LeaseLostError extends Error {}

/**
 * Follows the global log from its checkpoint and turns events into queued jobs. Per batch: plan (pure), record
 * the plan in SQL (ids are deterministic, so a replanned event adds nothing), put the batch's open work in
 * the queue, and only then move the checkpoint. If the queue is unreachable the batch fails, the checkpoint
 * stays, and the same batch is dispatched again once it is back: nothing is lost, nothing sent twice.
 */
export class NotificationDispatcher {
  private readonly abort = new AbortController();
  private running?: Promise<void>;
  private reconcileTimer?: NodeJS.Timeout;
  private readonly state: DispatcherStatus = {
    active: false,
    position: 0,
    lastError: null,
    lastErrorAt: null,
  };

  constructor(private readonly deps: DispatcherDeps) {
    deps.queue.onReconnect(() => {
      if (this.state.active) void this.reconcileQuietly('the queue reconnected');
    });
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.reconcileTimer);
    await this.running;
  }

  status(): DispatcherStatus {
    return { ...this.state };
  }

  /** Hands every open message and pending timer recorded in SQL to the queue again (ids make it idempotent). */
  async reconcile(): Promise<{ notifications: number; timers: number }> {
    const work = await this.deps.store.outstanding();
    await this.deps.queue.enqueueSends(work.notifications.map(sendJobOf));
    await this.deps.queue.scheduleTimers(work.timers.map(timerJobOf));
    return { notifications: work.notifications.length, timers: work.timers.length };
  }

  private async reconcileQuietly(why: string): Promise<void> {
    try {
      const { notifications, timers } = await this.reconcile();
      if (notifications + timers > 0) {
        this.deps.logger.log(
          `Notifications: ${why}; ${notifications} message(s) and ${timers} timer(s) offered again`,
        );
      }
    } catch (error) {
      this.deps.logger.warn(`Notifications: reconciliation failed: ${describeError(error)}`);
    }
  }

  private async run(): Promise<void> {
    const { settings, locks, logger } = this.deps;
    const signal = this.abort.signal;
    let delay = settings.retryDelayMs;
    while (!signal.aborted) {
      const lease = await locks.acquire('notifications.dispatcher', signal);
      if (!lease) return;
      this.state.active = true;
      try {
        await this.follow(lease);
        delay = settings.retryDelayMs;
      } catch (error) {
        if (!(error instanceof CheckpointMovedError)) {
          this.state.lastError = describeError(error);
          this.state.lastErrorAt = this.deps.now().toISOString();
          logger.warn(
            `Notifications dispatcher paused at ${this.state.position}: ${this.state.lastError}; retrying in ${delay} ms`,
          );
          await pause(delay, signal);
          delay = Math.min(delay * 2, settings.maxRetryDelayMs);
        }
      } finally {
        this.state.active = false;
        clearInterval(this.reconcileTimer);
        await lease.release();
      }
    }
  }

  private async follow(lease: Lease): Promise<void> {
    const { events, store, queue, settings } = this.deps;
    // A Redis that came back empty, or a crash between SQL and Redis: offer what is open again.
    await this.reconcile();
    let position = await store.checkpoint();
    this.state.position = position;
    this.state.lastError = null;
    clearInterval(this.reconcileTimer);
    this.reconcileTimer = setInterval(
      () => void this.reconcileQuietly('periodic check'),
      settings.reconcileIntervalMs,
    );
    this.reconcileTimer.unref();
    let leaseLost = false;
    void lease.lost.then(() => (leaseLost = true));

    const handle = async (batch: RecordedEvent[]): Promise<void> => {
      if (leaseLost) throw new LeaseLostError('Dispatcher lock lost');
      const last = batch[batch.length - 1]!.position;
      const plan = await this.plan(batch);
      await store.record(plan.notifications, plan.timers);
      await this.forget(batch);
      const work = await store.outstandingBetween(position, last);
      await queue.enqueueSends(work.notifications.map(sendJobOf));
      await queue.scheduleTimers(work.timers.map(timerJobOf));
      await store.advanceCheckpoint(position, last);
      position = last;
      this.state.position = last;
    };

    const subscription: Subscription = events.subscribeToAll(
      { after: position, batchSize: settings.batchSize },
      handle,
    );
    const stopped = new Promise<void>((resolve) => {
      if (this.abort.signal.aborted) resolve();
      this.abort.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      await Promise.race([subscription.done, lease.lost, stopped]);
    } finally {
      await subscription.stop().catch(() => undefined);
    }
  }

  /** A person forgotten: their address leaves the notifications record, and nothing more goes to it. */
  private async forget(batch: readonly RecordedEvent[]): Promise<void> {
    const { subjectOf, store, logger } = this.deps;
    const subjects = new Set(
      batch.filter((event) => event.type === PERSON_FORGOTTEN).map((event) => String(event.data.subject)),
    );
    if (subjects.size === 0 || !subjectOf) return;
    const erased = await store.eraseRecipients((email) => subjects.has(subjectOf(email)));
    if (erased > 0)
      logger.log(`Notifications: a forgotten person's address erased from ${erased} message(s)`);
  }

  /** Plans a batch, loading each partnership it touches once (its state now, not at the event). */
  private async plan(
    batch: readonly RecordedEvent[],
  ): Promise<{ notifications: PlannedNotification[]; timers: PlannedTimer[] }> {
    const loaded = new Map<string, Promise<LoadedPartnership | null>>();
    const notifications: PlannedNotification[] = [];
    const timers: PlannedTimer[] = [];
    const context = { now: this.deps.now(), settings: this.deps.settings };
    for (const recorded of batch) {
      if (!isPartnershipStream(recorded.streamId) || !isDomainEventType(recorded.type)) continue;
      const event = upcast(recorded) as unknown as PartnershipEvent;
      const partnershipId = event.data.partnershipId;
      if (!loaded.has(partnershipId)) loaded.set(partnershipId, this.deps.facts.partnership(partnershipId));
      const partnership = await loaded.get(partnershipId)!;
      if (!partnership) continue;
      const plan = planEvent(
        { id: recorded.id, position: recorded.position, event },
        partnership.facts,
        context,
      );
      notifications.push(...plan.notifications);
      timers.push(...plan.timers);
    }
    return { notifications, timers };
  }
}
