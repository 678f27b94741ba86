import type { SqlClient } from '@passerelle/database';
import { LocalLocks, type EventStore, type LockProvider, type RecordedEvent } from '@passerelle/event-store';
import {
  applyBatch,
  type Checkpoint,
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
import type { AnyProjection, TableNames } from '../runner/projection';

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
  const { projection, ...shared } = options;
  const [result] = await rebuildProjections({ ...shared, projections: [projection] });
  return result!;
}

export interface RebuildAllOptions extends Omit<RebuildOptions, 'projection'> {
  projections: readonly AnyProjection[];
}

/**
 * Several projections rebuilt blue/green from one read of the log: each batch is read once and applied
 * to every new generation in one transaction, then each projection reads its own short tail and is
 * swapped in on its own, as rebuildProjection does for one. Results in the order given; each counts the
 * events its generation applied and the time until it was swapped in.
 */
export async function rebuildProjections(options: RebuildAllOptions): Promise<RebuildResult[]> {
  const { client, store, projections } = options;
  const batchSize = options.batchSize ?? 1000;
  const started = Date.now();
  const abort = new AbortController();
  const locks = options.locks ?? processLocks;
  const leases: { release(): Promise<void> }[] = [];
  try {
    // In name order, so that two rebuilds of overlapping sets never wait on each other in a cycle.
    for (const name of projections.map((projection) => projection.name).sort()) {
      const lease = await locks.acquire(`rebuild.${name}`, abort.signal);
      if (!lease) throw new Error('Rebuild lock not acquired');
      leases.push(lease);
    }
    const builds: Build[] = [];
    for (const projection of projections) builds.push(await startGeneration(client, projection));

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
        let next = from;
        for (const build of builds) {
          next = await applyBatch(tx, build.projection, build.tables, batch, from);
          await writeCheckpoint(tx, build.save(next));
        }
        return next;
      });
      events += batch.length;
    }

    const results: RebuildResult[] = [];
    for (const build of builds) {
      const swapped = await swapIn(client, store, build, position, batchSize);
      options.onProgress?.({
        position: swapped.position,
        head: swapped.position,
        events: events + swapped.events,
      });
      results.push({
        name: build.projection.name,
        generation: build.generation,
        previousGeneration: build.previousGeneration,
        position: swapped.position,
        events: events + swapped.events,
        durationMs: Date.now() - started,
      });
    }
    return results;
  } finally {
    for (const lease of leases.reverse()) await lease.release();
  }
}

/** A projection's new generation while it is built. */
interface Build {
  projection: AnyProjection;
  generation: number;
  previousGeneration: number;
  tables: TableNames;
  save(position: number): Checkpoint;
}

/** Creates the next generation's tables, empty, and its rebuild checkpoint at 0. */
async function startGeneration(client: SqlClient, projection: AnyProjection): Promise<Build> {
  await ensureProjection(client, projection);
  const name = rebuildCheckpointName(projection.name);
  const { generation, previousGeneration } = await client.transaction(async (tx) => {
    const live = (await readCheckpoint(tx, projection.name))!;
    const generation = live.generation + 1;
    await createTables(tx, projection, liveTables(projection, generation));
    await writeCheckpoint(tx, { name, position: 0, version: projection.version, generation });
    return { generation, previousGeneration: live.generation };
  });
  return {
    projection,
    generation,
    previousGeneration,
    tables: liveTables(projection, generation),
    save: (position) => ({ name, position, version: projection.version, generation }),
  };
}

/**
 * Applies the rest of the log to a built generation and swaps it in once nothing is left between it and
 * the live runner, then drops the previous generation's tables. Returns the position it went live at
 * and how many events it applied here.
 */
async function swapIn(
  client: SqlClient,
  store: EventStore,
  build: Build,
  from: number,
  batchSize: number,
): Promise<{ position: number; events: number }> {
  const { projection, tables, generation } = build;
  let position = from;
  let events = 0;
  for (;;) {
    const tail = await readRemaining(store, position, batchSize);
    const after = position;
    const upTo = tail.length ? tail[tail.length - 1]!.position : position;
    const swapped = await client.transaction(async (tx) => {
      const live = (await readCheckpoint(tx, projection.name, true))!;
      await applyBatch(tx, projection, tables, tail, after);
      if (live.position > upTo) {
        // The live runner got further while we read: keep what was applied and read on.
        await writeCheckpoint(tx, build.save(upTo));
        return false;
      }
      await pointViews(tx, projection, tables);
      await writeCheckpoint(tx, { ...live, position: upTo, version: projection.version, generation });
      await deleteCheckpoint(tx, rebuildCheckpointName(projection.name));
      await notifyProgress(tx, client.schema, projection.name, upTo);
      return true;
    });
    events += tail.length;
    position = upTo;
    if (swapped) break;
  }
  await dropTables(client, projection, liveTables(projection, build.previousGeneration));
  return { position, events };
}
