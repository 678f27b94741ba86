import type { SqlClient } from '@passerelle/database';
import { SqlProcessorCheckpoints, type EventStore, type LockProvider } from '@passerelle/event-store';
import {
  SqlNotificationStore,
  startDispatcherAtHead,
  type StartAtHeadResult,
} from '@passerelle/notifications';
import { READ_MODEL_PROJECTIONS, rebuildProjections, type RebuildResult } from '@passerelle/read-models';
import { migrateAll } from './sql-client';

export interface PrepareCopiedLogOptions {
  /** The target's SQL database: the read models and the notifications record live there. */
  client: SqlClient;
  /** The target's log as stored (SQL in `client`, or EventStoreDB). */
  store: EventStore;
  locks: LockProvider;
  now?: Date;
  /** Events per batch of the rebuild and of the dispatcher's pass; default 2,000. */
  batchSize?: number;
  /** One line per step done. */
  log?: (line: string) => void;
}

export interface PreparedLog {
  dispatcher: StartAtHeadResult;
  readModels: RebuildResult[];
}

/**
 * Makes a log copied into this database ready for the service's first start (decision 0025, a copied log): the
 * e-mail dispatcher starts at the copied head with the timers still to come (startDispatcherAtHead),
 * and every read model is built by the blue/green rebuild, which reads the log in large batches, rather
 * than by the service's live catch-up. Run it with the service stopped (the embedded store opens in one
 * process); run again, it rebuilds the read models again and leaves the dispatcher alone.
 */
export async function prepareCopiedLog(options: PrepareCopiedLogOptions): Promise<PreparedLog> {
  const { client, store, locks } = options;
  const batchSize = options.batchSize ?? 2000;
  const log = options.log ?? (() => undefined);
  await migrateAll(client);
  let started = Date.now();
  const dispatcher = await startDispatcherAtHead({
    events: store,
    store: new SqlNotificationStore(client),
    checkpoints: new SqlProcessorCheckpoints(client),
    locks,
    now: options.now ?? new Date(),
    batchSize,
  });
  log(
    dispatcher.started
      ? `notifications: the dispatcher starts at position ${dispatcher.position}; nothing of the copied history is sent, ` +
          `${dispatcher.timers} timer(s) still to come planned (${dispatcher.events} events in ${Date.now() - started} ms)`
      : `notifications: left as they are (${dispatcher.reason}, position ${dispatcher.position})`,
  );
  // Every read model from one read of the log (each batch applied to all of them).
  started = Date.now();
  const readModels = await rebuildProjections({
    client,
    store,
    projections: READ_MODEL_PROJECTIONS,
    batchSize,
    locks,
  });
  const events = Math.max(...readModels.map((result) => result.events));
  const ms = Date.now() - started;
  log(
    `read models (${readModels.map((result) => result.name).join(', ')}): built from one read of ${events} events ` +
      `in ${ms} ms (${Math.round((events * 1000) / Math.max(ms, 1))} events/s), at position ` +
      `${Math.max(...readModels.map((result) => result.position))}`,
  );
  return { dispatcher, readModels };
}
