import { Inject, Injectable, Logger } from '@nestjs/common';
import { EVENT_STORE, EventStore, readProcessorCheckpoint } from '@passerelle/event-store';
import {
  DISPATCHER_CHECKPOINT,
  NOTIFICATION_STATUSES,
  NOTIFICATION_STORE,
  NotificationStatus,
  NotificationStore,
} from '@passerelle/notifications';
import { readCheckpoints } from '@passerelle/read-models';
import { Counter, Gauge } from 'prom-client';
import { ReadModels } from '../read-models/read-models.service';
import { Metrics } from './metrics';

type Source = 'event_store' | 'read_models' | 'notifications';

interface Snapshot {
  head: number | null;
  /** Positions by processor name. */
  checkpoints: Map<string, number> | null;
  notifications: Record<NotificationStatus, number> | null;
}

/**
 * The figures read at scrape time: the head of the log, each checkpoint (the read-model projections and the
 * notification dispatcher) with its lag, and the notifications by status. One snapshot (three queries)
 * serves every gauge of a scrape; a source that cannot be read leaves its series out of that scrape (the
 * head reads NaN) and counts a collection failure.
 */
@Injectable()
export class OperationalGauges {
  private readonly logger = new Logger('Metrics');
  private pending: Promise<Snapshot> | null = null;
  private readonly failures: Counter<'source'>;

  constructor(
    @Inject(Metrics) metrics: Metrics,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ReadModels) private readonly readModels: ReadModels,
    @Inject(NOTIFICATION_STORE) private readonly notifications: NotificationStore,
  ) {
    const registers = [metrics.registry];
    const snapshot = () => this.snapshot();
    this.failures = new Counter({
      name: 'passerelle_metrics_collect_failures_total',
      help: 'Scrapes in which a source could not be read (its gauges were left out), by source',
      labelNames: ['source'] as const,
      registers,
      // Read after this scrape's snapshot, so that a failure shows in the scrape it spoiled.
      async collect() {
        await snapshot();
      },
    });
    new Gauge({
      name: 'passerelle_event_store_head_position',
      help: 'Global position of the last event in the log (NaN when the store could not be read)',
      registers,
      async collect() {
        const { head } = await snapshot();
        this.set(head ?? NaN);
      },
    });
    const checkpointed = () => [
      ...this.readModels.projections.map((projection) => projection.name),
      DISPATCHER_CHECKPOINT,
    ];
    new Gauge({
      name: 'passerelle_projection_checkpoint_position',
      help: 'Last global position each checkpointed subscription has processed (read-model projections and the notification dispatcher)',
      labelNames: ['projection'] as const,
      registers,
      async collect() {
        const { checkpoints } = await snapshot();
        this.reset();
        if (!checkpoints) return;
        for (const name of checkpointed()) {
          const checkpoint = checkpoints.get(name);
          if (checkpoint !== undefined) this.set({ projection: name }, checkpoint);
        }
      },
    });
    new Gauge({
      name: 'passerelle_projection_lag_events',
      help: 'Events between the head of the log and each checkpoint',
      labelNames: ['projection'] as const,
      registers,
      async collect() {
        const { head, checkpoints } = await snapshot();
        this.reset();
        if (!checkpoints || head === null) return;
        for (const name of checkpointed()) {
          const checkpoint = checkpoints.get(name);
          if (checkpoint !== undefined) this.set({ projection: name }, Math.max(head - checkpoint, 0));
        }
      },
    });
    new Gauge({
      name: 'passerelle_notifications',
      help: 'E-mail notifications by delivery status (queued, sending, sent, failed, skipped)',
      labelNames: ['status'] as const,
      registers,
      async collect() {
        const { notifications } = await snapshot();
        this.reset();
        if (!notifications) return;
        for (const status of NOTIFICATION_STATUSES) this.set({ status }, notifications[status]);
      },
    });
  }

  /** The gauges of one scrape collect concurrently: they share the snapshot read while it is in flight. */
  private snapshot(): Promise<Snapshot> {
    this.pending ??= this.read().finally(() => (this.pending = null));
    return this.pending;
  }

  private async read(): Promise<Snapshot> {
    const names = this.readModels.projections.map((projection) => projection.name);
    const client = this.readModels.client;
    const positions = async () => {
      const [projections, dispatcher] = await Promise.all([
        readCheckpoints(client, names),
        readProcessorCheckpoint(client, DISPATCHER_CHECKPOINT),
      ]);
      const read = new Map([...projections].map(([name, { position }]) => [name, position]));
      if (dispatcher !== undefined) read.set(DISPATCHER_CHECKPOINT, dispatcher);
      return read;
    };
    const [head, checkpoints, notifications] = await Promise.all([
      this.guard('event_store', () => this.store.headPosition()),
      this.guard('read_models', positions),
      this.guard('notifications', () => this.notifications.countByStatus()),
    ]);
    return { head, checkpoints, notifications };
  }

  private async guard<T>(source: Source, read: () => Promise<T>): Promise<T | null> {
    try {
      return await read();
    } catch (error) {
      this.failures.inc({ source });
      this.logger.warn(`${source}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }
}
