import type { SqlClient } from '@passerelle/database';
import { isDomainEventType, upcast } from '@passerelle/domain';
import type { EventStore, RecordedEvent } from '@passerelle/event-store';
import { chainHash, GENESIS_HASH } from '@passerelle/event-store';
import { checkConsistency, ConsistencyReport } from '../rebuild/consistency';
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
 * The auditor's integrity report: the whole log is read in position order (revisions contiguous,
 * positions increasing, hash chains hold over the events as stored, every event decodes and upcasts),
 * then every read model is compared with a fresh rebuild of itself.
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
  batchSize?: number;
}): Promise<IntegrityReport> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 1000;
  const stored = options.storedStore ?? options.store;
  const checker = new LogChecker();
  for (let after = 0; ;) {
    const batch = await stored.readAll({ after, maxCount: batchSize });
    if (batch.length === 0) break;
    for (const event of batch) checker.check(event);
    const upTo = batch[batch.length - 1]!.position;
    if (stored === options.store) {
      for (const event of batch) checker.checkDecoded(event);
    } else {
      try {
        const decoded = await options.store.readAll({ after, maxCount: batch.length });
        for (const event of decoded) if (event.position <= upTo) checker.checkDecoded(event);
      } catch (error) {
        checker.undecodableBatch(after, upTo, error);
      }
    }
    after = upTo;
  }
  const readModels: ConsistencyReport[] = [];
  const problems = [...checker.problems];
  for (const projection of options.projections) {
    const report = await checkConsistency({
      client: options.client,
      store: options.projectionStore ?? options.store,
      projection,
      batchSize,
    });
    readModels.push(report);
    for (const difference of report.differences) {
      problems.push({
        kind: 'read_model_mismatch',
        streamId: null,
        revision: null,
        position: report.position,
        detail: `${projection.name}.${difference.table}: ${difference.missing} row(s) missing or different, ${difference.unexpected} unexpected; e.g. ${JSON.stringify(difference.samples)}`,
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
