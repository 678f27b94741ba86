import type { SqlClient } from '@passerelle/database';
import { LocalLocks, type EventStore, type LockProvider, type RecordedEvent } from '@passerelle/event-store';
import {
  applyBatch,
  createTables,
  deleteCheckpoint,
  dropTables,
  ensureProjection,
  liveTables,
  notifyProgress,
  pointViews,
  readCheckpoint,
  rebuildCheckpointName,
  writeCheckpoint,
} from '../runner/catalog';
import type { AnyProjection } from '../runner/projection';

export interface RebuildProgress {
  /** Position the new generation has reached. */
  position: number;
  /** Head of the log when last looked at. */
  head: number;
  /** Events read so far. */
  events: number;
}

export interface RebuildOptions {
  client: SqlClient;
  store: EventStore;
  projection: AnyProjection;
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
  /** Keeps two rebuilds of one projection apart; across processes pass PostgresAdvisoryLocks. */
  locks?: LockProvider;
}

export interface RebuildResult {
  name: string;
  generation: number;
  previousGeneration: number;
  position: number;
  events: number;
  durationMs: number;
}

const processLocks = new LocalLocks();

/** Every event after `after` that is visible now, in batches (read outside any transaction: PGlite has one connection). */
export async function readRemaining(
  store: EventStore,
  after: number,
  batchSize: number,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let from = after; ;) {
    const batch = await store.readAll({ after: from, maxCount: batchSize });
    if (batch.length === 0) return events;
    events.push(...batch);
    from = batch[batch.length - 1]!.position;
  }
}

/**
 * Blue/green rebuild. The new generation's tables fill from the log while the live ones keep serving and
 * following; when it has caught up, one transaction pauses the live runner (it locks the live checkpoint
 * row), applies the last events, points the readers' views at the new tables and moves the live
 * checkpoint. The live runner notices the moved checkpoint and resumes on the new generation. Readers
 * never see a missing or half-built table.
 */
export async function rebuildProjection(options: RebuildOptions): Promise<RebuildResult> {
  const { client, store, projection } = options;
  const batchSize = options.batchSize ?? 1000;
  const started = Date.now();
  const abort = new AbortController();
  const lease = await (options.locks ?? processLocks).acquire(`rebuild.${projection.name}`, abort.signal);
  if (!lease) throw new Error('Rebuild lock not acquired');
  try {
    await ensureProjection(client, projection);
    const name = rebuildCheckpointName(projection.name);
    const { generation, previousGeneration } = await client.transaction(async (tx) => {
      const live = (await readCheckpoint(tx, projection.name))!;
      const generation = live.generation + 1;
      await createTables(tx, projection, liveTables(projection, generation));
      await writeCheckpoint(tx, { name, position: 0, version: projection.version, generation });
      return { generation, previousGeneration: live.generation };
    });
    const tables = liveTables(projection, generation);
    const save = (position: number) => ({ name, position, version: projection.version, generation });

    let position = 0;
    let events = 0;
    // The next batch is read while this one is applied: the database answers the read while this
    // process folds rows, and the other way round.
    const read = (after: number) => {
      const batch = store.readAll({ after, maxCount: batchSize });
      batch.catch(() => undefined); // awaited below, or dropped at the end of the bulk phase
      return batch;
    };
    let ahead = read(position);
    for (;;) {
      const head = await store.headPosition();
      options.onProgress?.({ position, head, events });
      if (head - position <= batchSize) break;
      const batch = await ahead;
      if (batch.length === 0) break;
      ahead = read(batch[batch.length - 1]!.position);
      const from = position;
      position = await client.transaction(async (tx) => {
        const next = await applyBatch(tx, projection, tables, batch, from);
        await writeCheckpoint(tx, save(next));
        return next;
      });
      events += batch.length;
    }

    for (;;) {
      const tail = await readRemaining(store, position, batchSize);
      const from = position;
      const upTo = tail.length ? tail[tail.length - 1]!.position : position;
      const swapped = await client.transaction(async (tx) => {
        const live = (await readCheckpoint(tx, projection.name, true))!;
        await applyBatch(tx, projection, tables, tail, from);
        if (live.position > upTo) {
          // The live runner got further while we read: keep what was applied and read on.
          await writeCheckpoint(tx, save(upTo));
          return false;
        }
        await pointViews(tx, projection, tables);
        await writeCheckpoint(tx, { ...live, position: upTo, version: projection.version, generation });
        await deleteCheckpoint(tx, name);
        await notifyProgress(tx, client.schema, projection.name, upTo);
        return true;
      });
      events += tail.length;
      position = upTo;
      if (swapped) break;
    }
    options.onProgress?.({ position, head: position, events });
    await dropTables(client, projection, liveTables(projection, previousGeneration));
    return {
      name: projection.name,
      generation,
      previousGeneration,
      position,
      events,
      durationMs: Date.now() - started,
    };
  } finally {
    await lease.release();
  }
}
