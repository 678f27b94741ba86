import { isDomainEventType, isPartnershipStream, PartnershipEvent, upcast } from '@passerelle/domain';
import {
  describeError,
  runProcessor,
  type EventStore,
  type LockProvider,
  type ProcessorCheckpoints,
  type ProcessorLogger,
  type Reactor,
  type RecordedEvent,
} from '@passerelle/event-store';
import { PlannedNotification, PlannedTimer, sendJobOf, timerJobOf } from '../model';
import { planEvent, PLANS_NOTHING } from '../planning/plan-event';
import type { NotificationQueue } from '../ports/notification-queue.port';
import { DISPATCHER_CHECKPOINT, type NotificationStore } from '../ports/notification-store.port';
import type { NotificationSettings } from '../settings';
import type { FactsLoader, LoadedPartnership } from './facts-loader';

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
  checkpoints: ProcessorCheckpoints;
  settings: NotificationSettings;
  now: () => Date;
  logger: ProcessorLogger;
  /** The keyed subject a person is known by in the log (PersonForgotten names them by it). */
  subjectOf: (email: string) => string;
}

const PERSON_FORGOTTEN = 'PersonForgotten';

/** The lock one dispatcher of a deployment holds while it follows the log. */
export const DISPATCHER_LOCK = 'notifications.dispatcher';

/**
 * A reactor of the event store's processing loop (`runProcessor`): it follows the global log from its
 * checkpoint under its lease and turns events into queued jobs. Per batch: plan (pure), record the plan
 * in SQL (ids are deterministic, so a replanned event adds nothing), put the batch's open work in the
 * queue; the loop then moves the checkpoint, fenced. If the queue is unreachable the batch fails, the
 * checkpoint stays, and the same batch is dispatched again once it is back: nothing is lost, nothing
 * sent twice.
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
    this.running ??= runProcessor({
      processor: this.reactor(),
      store: this.deps.events,
      checkpoints: this.deps.checkpoints,
      locks: this.deps.locks,
      logger: this.deps.logger,
      signal: this.abort.signal,
      retryDelayMs: this.deps.settings.retryDelayMs,
      maxRetryDelayMs: this.deps.settings.maxRetryDelayMs,
      observer: {
        active: (active) => {
          this.state.active = active;
          if (!active) clearInterval(this.reconcileTimer);
        },
        position: (position) => {
          this.state.position = position;
          this.state.lastError = null;
        },
        failed: (error) => {
          this.state.lastError = describeError(error);
          this.state.lastErrorAt = this.deps.now().toISOString();
        },
      },
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.reconcileTimer);
    await this.running;
  }

  status(): DispatcherStatus {
    return { ...this.state };
  }

  /**
   * Hands every open message recorded in SQL to the queue again, and every pending timer due within two
   * reconciliation intervals (ids make it idempotent). A timer due later was handed over when it was
   * planned, or (a copied log's, a Redis that lost its data) is handed over by a later reconciliation,
   * at least one interval before it comes due: the work of a start and of each periodic check does not
   * grow with the timers of every agreement in force.
   */
  async reconcile(): Promise<{ notifications: number; timers: number }> {
    const horizon = this.deps.now().getTime() + 2 * this.deps.settings.reconcileIntervalMs;
    const work = await this.deps.store.outstanding({ timersDueBefore: new Date(horizon) });
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

  private reactor(): Reactor {
    const { store, queue, settings } = this.deps;
    return {
      kind: 'reactor',
      name: DISPATCHER_CHECKPOINT,
      label: 'Notifications dispatcher',
      lockName: DISPATCHER_LOCK,
      batchSize: settings.batchSize,
      setUp: async () => {
        // A Redis that came back empty, or a crash between SQL and Redis: offer what is open again.
        await this.reconcile();
        clearInterval(this.reconcileTimer);
        this.reconcileTimer = setInterval(
          () => void this.reconcileQuietly('periodic check'),
          settings.reconcileIntervalMs,
        );
        this.reconcileTimer.unref();
      },
      react: async (batch, after) => {
        const last = batch[batch.length - 1]!.position;
        const plan = await this.plan(batch);
        await store.record(plan.notifications, plan.timers);
        await this.forget(batch);
        // Work is only ever recorded at the position of an event that was planned (a fired timer's
        // messages at its event's): a batch with none has nothing outstanding, now or from an earlier try.
        if (plan.planned === 0) return;
        const work = await store.outstandingBetween(after, last);
        await queue.enqueueSends(work.notifications.map(sendJobOf));
        await queue.scheduleTimers(work.timers.map(timerJobOf));
      },
    };
  }

  /** A person forgotten: their address leaves the notifications record, and nothing more goes to it. */
  private async forget(batch: readonly RecordedEvent[]): Promise<void> {
    const { subjectOf, store, logger } = this.deps;
    const subjects = new Set(
      batch.filter((event) => event.type === PERSON_FORGOTTEN).map((event) => String(event.data.subject)),
    );
    if (subjects.size === 0) return;
    const erased = await store.eraseRecipients((email) => subjects.has(subjectOf(email)));
    if (erased > 0)
      logger.log(`Notifications: a forgotten person's address erased from ${erased} message(s)`);
  }

  /**
   * Plans a batch, loading each partnership it touches once (its state now, not at the event); events
   * that plan nothing whatever the state (PLANS_NOTHING) load nothing. `planned`: the events planned.
   */
  private async plan(
    batch: readonly RecordedEvent[],
  ): Promise<{ notifications: PlannedNotification[]; timers: PlannedTimer[]; planned: number }> {
    const loaded = new Map<string, Promise<LoadedPartnership | null>>();
    const notifications: PlannedNotification[] = [];
    const timers: PlannedTimer[] = [];
    let planned = 0;
    const context = { now: this.deps.now(), settings: this.deps.settings };
    for (const recorded of batch) {
      if (!isPartnershipStream(recorded.streamId) || !isDomainEventType(recorded.type)) continue;
      const event = upcast(recorded) as unknown as PartnershipEvent;
      if (PLANS_NOTHING.has(event.type)) continue;
      planned += 1;
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
    return { notifications, timers, planned };
  }
}
