import type { SqlClient } from '@passerelle/database';
import { isDomainEventType, upcast } from '@passerelle/domain';
import type { EventStore, RecordedEvent } from '@passerelle/event-store';
import { chainHash, GENESIS_HASH } from '@passerelle/event-store';
import { AppendOnlyCheck } from '../rebuild/append-only-check';
import { ConsistencyReport, ScratchRebuild } from '../rebuild/consistency';
import type { AnyProjection } from '../runner/projection';

export type ProblemKind =
  | 'revision_gap'
  | 'position_order'
  | 'undecodable'
  | 'upcast_failed'
  | 'stream_mismatch'
  | 'hash_mismatch'
  | 'read_model_mismatch';

export interface IntegrityProblem {
  kind: ProblemKind;
  streamId: string | null;
  revision: number | null;
  position: number | null;
  detail: string;
}

export interface IntegrityReport {
  ok: boolean;
  checkedEvents: number;
  checkedStreams: number;
  /** Position of the last event checked. */
  headPosition: number;
  problems: IntegrityProblem[];
  /** More problems were found than listed. */
  truncated: boolean;
  readModels: ConsistencyReport[];
  durationMs: number;
}

const MAX_PROBLEMS = 200;
/** A scratch rebuild applies this many events at a time (fewer transactions; memory: these events, upcast). */
const SCRATCH_CHUNK = 5000;
/** How many batches the read models' checks may be behind the pass (memory: these batches). */
const FEEDS_AHEAD = 4;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Pure checks of one event against what came before it in its stream; pushes what is wrong. */
export class LogChecker {
  readonly problems: IntegrityProblem[] = [];
  truncated = false;
  checkedEvents = 0;
  lastPosition = 0;
  private readonly streams = new Map<string, { revision: number; hash: string }>();

  get checkedStreams(): number {
    return this.streams.size;
  }

  private report(kind: ProblemKind, event: RecordedEvent, detail: string): void {
    if (this.problems.length >= MAX_PROBLEMS) {
      this.truncated = true;
      return;
    }
    this.problems.push({
      kind,
      streamId: event.streamId,
      revision: event.revision,
      position: event.position,
      detail,
    });
  }

  check(event: RecordedEvent): void {
    this.checkedEvents += 1;
    if (!(event.position > this.lastPosition)) {
      this.report('position_order', event, `position ${event.position} follows ${this.lastPosition}`);
    }
    this.lastPosition = Math.max(this.lastPosition, event.position);

    const stream = this.streams.get(event.streamId);
    const expectedRevision = stream ? stream.revision + 1 : 0;
    if (event.revision !== expectedRevision) {
      this.report(
        'revision_gap',
        event,
        `revision ${event.revision} where ${expectedRevision} was expected (a revision is missing, or the stream's events are not in position order)`,
      );
    } else if (event.hash !== chainHash(stream?.hash ?? GENESIS_HASH, event)) {
      // Chained from the previous event's stored hash: an altered event is named, not every one after it.
      this.report('hash_mismatch', event, 'the stored hash does not match the event and its predecessor');
    }
    this.streams.set(event.streamId, { revision: event.revision, hash: event.hash });

    if (
      !UUID.test(event.id) ||
      typeof event.type !== 'string' ||
      !Number.isInteger(event.version) ||
      event.version < 1 ||
      !isRecord(event.data) ||
      !isRecord(event.metadata)
    ) {
      this.report('undecodable', event, 'id, type, version, data or metadata has not the expected form');
    }
  }

  /** The event as the application reads it (personal data opened): it upcasts and belongs to its stream. */
  checkDecoded(event: RecordedEvent): void {
    try {
      const current = upcast({ type: event.type, version: event.version, data: event.data });
      if (!isDomainEventType(current.type)) return;
      const [category, ...rest] = event.streamId.split('-');
      const id = rest.join('-');
      const owner =
        category === 'partnership'
          ? current.data.partnershipId
          : category === 'organization'
            ? current.data.organizationId
            : id;
      if (owner !== id)
        this.report('stream_mismatch', event, `the event names ${String(owner)}, the stream ${id}`);
    } catch (error) {
      this.report('upcast_failed', event, error instanceof Error ? error.message : String(error));
    }
  }

  undecodableBatch(after: number, upTo: number, error: unknown): void {
    if (this.problems.length >= MAX_PROBLEMS) {
      this.truncated = true;
      return;
    }
    this.problems.push({
      kind: 'undecodable',
      streamId: null,
      revision: null,
      position: upTo,
      detail: `events after ${after} up to ${upTo} could not be read: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

/**
 * The auditor's integrity report, in one pass over the log in position order (revisions contiguous,
 * positions increasing, hash chains hold over the events as stored, every event decodes and upcasts),
 * which also feeds the read models' checks: an append-only one (the activity feed) is compared batch by
 * batch with its live rows (AppendOnlyCheck), the others are rebuilt into scratch tables (ScratchRebuild)
 * and then compared with their live tables. Memory holds a few batches, and per stream its last revision
 * and hash; the rebuilt rows are in the database.
 */
export async function verifyIntegrity(options: {
  client: SqlClient;
  /** The store as the application reads it (the read models are built from it). */
  store: EventStore;
  /** The store as written, for the hash chains (under a decorator that decrypts, the inner store). */
  storedStore?: EventStore;
  /** The store the projections fold, to rebuild them from (default `store`; the application's folds the events as stored). */
  projectionStore?: EventStore;
  projections: readonly AnyProjection[];
  /**
   * How `store` opens events read from `storedStore` (the decrypting decorator's `open`): given, the
   * pass does not read each batch a second time through `store`.
   */
  open?: (events: RecordedEvent[]) => Promise<RecordedEvent[]>;
  /** Told each batch as stored, in position order (another check riding on the same pass: signed heads). */
  observe?: (events: readonly RecordedEvent[]) => void;
  batchSize?: number;
}): Promise<IntegrityReport> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 1000;
  const stored = options.storedStore ?? options.store;
  const projectionStore = options.projectionStore ?? options.store;
  const checker = new LogChecker();
  const rebuilds: (ScratchRebuild | AppendOnlyCheck)[] = [];
  const inFlight: Promise<unknown>[] = [];
  /** Per read model, its last batch fed: each takes the batches in order. */
  const chains: Promise<unknown>[] = [];
  try {
    for (const projection of options.projections) {
      rebuilds.push(
        projection.appendOnly
          ? await AppendOnlyCheck.start(options.client, projection)
          : await ScratchRebuild.start(options.client, projection, SCRATCH_CHUNK),
      );
    }
    // The next batch is read while this one is checked; the read models' checks follow on their own
    // connections, up to FEEDS_AHEAD batches behind the pass, each taking the batches in order.
    const read = (after: number) => {
      const batch = stored.readAll({ after, maxCount: batchSize });
      batch.catch(() => undefined); // awaited below, or dropped if the pass fails
      return batch;
    };
    chains.push(...rebuilds.map(() => Promise.resolve()));
    const feed = (events: readonly RecordedEvent[]) => {
      const fed = Promise.all(
        rebuilds.map((rebuild, index) => (chains[index] = chains[index]!.then(() => rebuild.feed(events)))),
      );
      fed.catch(() => undefined); // awaited below
      inFlight.push(fed);
    };
    // The rebuilds are fed from the pass as long as it has their events; otherwise `finish` reads the rest.
    let feeding = projectionStore === stored || projectionStore === options.store;
    let ahead = read(0);
    for (let after = 0; ;) {
      const batch = await ahead;
      if (batch.length === 0) break;
      const upTo = batch[batch.length - 1]!.position;
      ahead = read(upTo);
      const fedAsStored = feeding && projectionStore === stored;
      if (fedAsStored) feed(batch);
      for (const event of batch) checker.check(event);
      options.observe?.(batch);
      let decoded: RecordedEvent[] | undefined;
      if (stored === options.store) {
        decoded = batch;
      } else {
        try {
          decoded = options.open
            ? await options.open(batch)
            : (await options.store.readAll({ after, maxCount: batch.length })).filter(
                (e) => e.position <= upTo,
              );
        } catch (error) {
          checker.undecodableBatch(after, upTo, error);
        }
      }
      for (const event of decoded ?? []) checker.checkDecoded(event);
      if (fedAsStored) {
        // fed above
      } else if (feeding && decoded) feed(decoded);
      else feeding = false;
      while (inFlight.length > FEEDS_AHEAD) await inFlight.shift();
      after = upTo;
    }
    while (inFlight.length > 0) await inFlight.shift();
  } catch (error) {
    await Promise.allSettled(chains);
    await Promise.allSettled(rebuilds.map((rebuild) => rebuild.drop()));
    throw error;
  }
  const readModels: ConsistencyReport[] = [];
  const problems = [...checker.problems];
  for (const [index, rebuild] of rebuilds.entries()) {
    const report = await rebuild.finish(projectionStore, batchSize).catch(async (error: unknown) => {
      await Promise.allSettled(rebuilds.slice(index + 1).map((rest) => rest.drop()));
      throw error;
    });
    readModels.push(report);
    for (const difference of report.differences) {
      problems.push({
        kind: 'read_model_mismatch',
        streamId: null,
        revision: null,
        position: report.position,
        detail: `${report.name}.${difference.table}: ${difference.missing} row(s) missing or different, ${difference.unexpected} unexpected; e.g. ${JSON.stringify(difference.samples)}`,
      });
    }
  }
  return {
    ok: problems.length === 0,
    checkedEvents: checker.checkedEvents,
    checkedStreams: checker.checkedStreams,
    headPosition: checker.lastPosition,
    problems,
    truncated: checker.truncated,
    readModels,
    durationMs: Date.now() - started,
  };
}
