import { createHash } from 'node:crypto';
import { SqlState, sqlStateOf, type SqlClient } from '@passerelle/database';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors';
import type {
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import { canonicalEventJson } from '../hash-chain';
import { WRONG_EXPECTED_REVISION_SQLSTATE } from './migrations';
import { AfterCommitNotifier } from './after-commit-notifier';
import { LogTail } from './log-tail';
import { SqlSubscription } from './sql-subscription';

export interface SqlEventStoreOptions {
  /** Events per subscription batch when the subscriber does not say. Default 500. */
  batchSize?: number;
  /** While idle, subscriptions also poll this often, in case a notification was lost. Default 1000 ms. */
  pollIntervalMs?: number;
  /**
   * `in-transaction`: every append NOTIFYs as part of its own transaction. PostgreSQL serialises
   * the commits of notifying transactions (a database-wide lock held until the commit is flushed),
   * which caps appends at about one per WAL flush, whatever the number of writers.
   * `after-commit`: this process notifies once an append has committed, coalescing bursts (see
   * AfterCommitNotifier); appends then commit in parallel, and a notification lost in a crash
   * costs subscribers one safety poll.
   * Default: `after-commit` on PostgreSQL, `in-transaction` on PGlite (one connection: nothing to
   * serialise). docs/performance.md has the measurements.
   */
  notify?: 'in-transaction' | 'after-commit';
  /**
   * Group commit: appends waiting while earlier ones commit go together in one transaction of at
   * most this many appends (append_batch in ./migrations.ts; each is checked and fails on its own).
   * An append that finds nothing in flight starts at once. 1: one transaction per append. Default 64.
   */
  appendBatchMax?: number;
  /**
   * Batches committing at once (each holds a connection while it runs). Default 4 on PostgreSQL
   * (batches form and run while others are flushed; 2 and 8 measured slower with 16 writers on two
   * cores), 1 on PGlite (one connection).
   */
  appendBatchesInFlight?: number;
  /**
   * Events of the end of the log kept for subscriptions to share (see LogTail): the projections and the
   * dispatcher of one process read each new batch once between them. Default 2,000.
   */
  tailEvents?: number;
}

/** Default of SqlEventStoreOptions.tailEvents: four batches of the processors' default size. */
const DEFAULT_TAIL_EVENTS = 2000;

/** Default of SqlEventStoreOptions.appendBatchMax. */
export const DEFAULT_APPEND_BATCH_MAX = 64;

/** An append waiting for its batch. */
interface PendingAppend {
  streamId: string;
  events: NewEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

interface BatchRow {
  outcome: 'ok' | typeof WRONG_EXPECTED_REVISION_SQLSTATE | typeof SqlState.uniqueViolation;
  last_revision: number | null;
  last_position: number | null;
}

interface EventRow {
  global_position: number;
  stream_id: string;
  stream_revision: number;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: NewEvent['metadata'];
  recorded_at: Date;
  hash: string;
}

const EVENT_COLUMNS = `global_position, stream_id, stream_revision, event_id, event_type, schema_version,
  data, metadata, recorded_at, hash`;

/**
 * Only rows whose transaction ended before this statement's snapshot: a prefix of the log that
 * no later commit can insert into. Proof in ./migrations.ts.
 */
const SETTLED = 'transaction_id < pg_snapshot_xmin(pg_current_snapshot())';

/**
 * The batch's events go as one JSON array of their canonical texts, joined as they are: a text[] parameter
 * would have node-postgres escape every quote of every event into an array literal. A `json` value's
 * elements are the exact substrings of its text, so each event is hashed and stored byte for byte as
 * canonicalEventJson wrote it. append_batch_json unpacks it and calls append_batch (migration 0007).
 */
const APPEND_BATCH = `SELECT outcome, last_revision, last_position
  FROM append_batch_json($1::text[], $2::text[], $3::integer[], $4::uuid[], $5::json, $6)`;

/** Ids are stored as uuid and hashed as given: only the form PostgreSQL prints back hashes the same. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** NOTIFY channel of a schema's event log (at most 63 characters). */
export function eventsChannel(schema: string): string {
  const channel = `${schema}_events`;
  return channel.length <= 63
    ? channel
    : `events_${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}

/**
 * The event store over PostgreSQL or PGlite (same SQL; see ./migrations.ts for the tables and
 * eventStoreMigrations, to be applied first). The SqlClient belongs to the caller: close()
 * stops this store's subscriptions, not the client.
 */
export class SqlEventStore implements EventStore {
  private readonly channel: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly subscriptions = new Set<SqlSubscription>();
  private readonly notifier?: AfterCommitNotifier;
  private readonly batchMax: number;
  private readonly batchesInFlight: number;
  private readonly waiting: PendingAppend[] = [];
  private readonly running = new Set<Promise<void>>();
  private dispatchScheduled = false;
  /** Streams and event ids of the batches committing (see keysOf), with how many hold each. */
  private readonly busy = new Map<string, number>();
  /** The subscriptions' reads of the log, shared (see LogTail). */
  private readonly tail: LogTail;

  constructor(
    private readonly client: SqlClient,
    options: SqlEventStoreOptions = {},
  ) {
    this.channel = eventsChannel(client.schema);
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.tail = new LogTail(
      (after, maxCount) => this.readAll({ after, maxCount }),
      options.tailEvents ?? DEFAULT_TAIL_EVENTS,
    );
    const notify = options.notify ?? (client.dialect === 'postgres' ? 'after-commit' : 'in-transaction');
    if (notify === 'after-commit') this.notifier = new AfterCommitNotifier(client, this.channel);
    this.batchMax = positiveInteger(options.appendBatchMax ?? DEFAULT_APPEND_BATCH_MAX, 'appendBatchMax');
    this.batchesInFlight = positiveInteger(
      options.appendBatchesInFlight ?? (client.dialect === 'postgres' ? 4 : 1),
      'appendBatchesInFlight',
    );
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    if (
      typeof expectedRevision === 'number' &&
      !(Number.isSafeInteger(expectedRevision) && expectedRevision >= 0)
    ) {
      throw new TypeError(`Expected revision ${expectedRevision} is not a revision (0, 1, 2…)`);
    }
    const ids = new Set<string>();
    for (const { id } of events) {
      if (!UUID.test(id)) throw new TypeError(`Event id ${id} is not a lower-case UUID`);
      if (ids.has(id)) throw new DuplicateEventIdError(id);
      ids.add(id);
    }
    if (events.length === 0) return this.appendNothing(streamId, expectedRevision);
    if (this.batchMax === 1) return this.appendAlone(streamId, events, expectedRevision);
    return new Promise<AppendResult>((resolve, reject) => {
      this.waiting.push({ streamId, events, expected: expectedRevision, resolve, reject });
      this.scheduleDispatch();
    });
  }

  /** One append, one transaction (append_to_stream). */
  private async appendAlone(
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    try {
      const [appended] = await this.client.query<{ last_revision: number; last_position: number }>(
        'SELECT last_revision, last_position FROM append_to_stream($1, $2, $3::text[], $4)',
        [
          streamId,
          String(expectedRevision),
          events.map(canonicalEventJson),
          this.notifier ? null : this.channel,
        ],
      );
      this.notifier?.announce(appended.last_position);
      return { revision: appended.last_revision, position: appended.last_position, appended: true };
    } catch (error) {
      const state = sqlStateOf(error);
      const detail = (error as { detail?: string }).detail;
      return this.refused(streamId, events, expectedRevision, state, detail ? Number(detail) : null, error);
    }
  }

  /**
   * What an append refused by the database returns or throws. A conflict may be this very append,
   * retried: then it already happened, once, and its result is returned.
   */
  private async refused(
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
    state: string | undefined,
    actual: number | null,
    error: unknown,
  ): Promise<AppendResult> {
    const conflict =
      state === WRONG_EXPECTED_REVISION_SQLSTATE ||
      state === SqlState.uniqueViolation ||
      state === SqlState.deadlockDetected;
    if (conflict) {
      const original = await this.findAppend(streamId, events);
      if (original) return original;
    }
    if (state === WRONG_EXPECTED_REVISION_SQLSTATE) {
      throw new WrongExpectedRevisionError(streamId, expectedRevision, actual);
    }
    throw error;
  }

  /** Starts batches on the next turn of the event loop: appends made meanwhile join them. */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled || this.running.size >= this.batchesInFlight || this.waiting.length === 0)
      return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      while (this.running.size < this.batchesInFlight && this.waiting.length > 0) {
        const batch = this.nextBatch();
        if (batch.length === 0) break;
        const keys = batch.flatMap(keysOf);
        for (const key of keys) this.busy.set(key, (this.busy.get(key) ?? 0) + 1);
        const run: Promise<void> = this.commitBatch(batch).finally(() => {
          for (const key of keys) {
            const left = this.busy.get(key)! - 1;
            if (left === 0) this.busy.delete(key);
            else this.busy.set(key, left);
          }
          this.running.delete(run);
          this.scheduleDispatch();
        });
        this.running.add(run);
      }
    });
  }

  /**
   * Up to batchMax waiting appends, in order. An append sharing an event id with one already taken,
   * or with a batch still committing, waits for a later batch (it then meets that event stored, as a
   * retry would). So does an append to a stream a committing batch writes to, and every later append
   * to a stream whose append waits: each stream's appends commit in the order they were made.
   */
  private nextBatch(): PendingAppend[] {
    const batch: PendingAppend[] = [];
    const left: PendingAppend[] = [];
    const taken = new Set<string>();
    const held = new Set<string>();
    for (const pending of this.waiting) {
      const keys = keysOf(pending);
      const clash =
        batch.length >= this.batchMax ||
        held.has(pending.streamId) ||
        keys.some((key) => (taken.has(key) && key !== keys[0]) || this.busy.has(key));
      if (clash) {
        left.push(pending);
        held.add(pending.streamId);
        continue;
      }
      batch.push(pending);
      for (const key of keys) taken.add(key);
    }
    this.waiting.splice(0, this.waiting.length, ...left);
    return batch;
  }

  /** Commits a batch in one transaction and settles each of its appends; never rejects. */
  private async commitBatch(batch: PendingAppend[]): Promise<void> {
    let rows: BatchRow[];
    try {
      rows = await this.client.query<BatchRow>(APPEND_BATCH, [
        batch.map((pending) => pending.streamId),
        batch.map((pending) => String(pending.expected)),
        batch.map((pending) => pending.events.length),
        batch.flatMap((pending) => pending.events.map((event) => event.id)),
        canonicalEventsArray(batch),
        this.notifier ? null : this.channel,
      ]);
    } catch (error) {
      if (refusedByServer(error)) {
        // The server refused the statement, so nothing of it was written: each append again on its
        // own, to get its own answer (a bad event fails alone; an id stored meanwhile elsewhere is found).
        await Promise.all(
          batch.map((p) => this.appendAlone(p.streamId, p.events, p.expected).then(p.resolve, p.reject)),
        );
      } else {
        // Its fate is unknown (connection lost: it may have committed): every append in it fails alike.
        for (const pending of batch) pending.reject(error);
      }
      return;
    }
    let highest = 0;
    for (const row of rows) if (row.last_position !== null) highest = Math.max(highest, row.last_position);
    if (highest > 0) this.notifier?.announce(highest);
    await Promise.all(
      batch.map(async (pending, index) => {
        const row = rows[index]!;
        try {
          if (row.outcome === 'ok') {
            pending.resolve({ revision: row.last_revision!, position: row.last_position!, appended: true });
            return;
          }
          const actual = row.last_revision === null || row.last_revision < 0 ? null : row.last_revision;
          const error =
            row.outcome === WRONG_EXPECTED_REVISION_SQLSTATE
              ? new WrongExpectedRevisionError(pending.streamId, pending.expected, actual)
              : new DuplicateEventIdError(pending.events[0]!.id);
          pending.resolve(
            await this.refused(
              pending.streamId,
              pending.events,
              pending.expected,
              row.outcome,
              actual,
              error,
            ),
          );
        } catch (error) {
          pending.reject(error);
        }
      }),
    );
  }

  /** The earlier append of exactly these events to this stream, if there was one. */
  private async findAppend(streamId: string, events: NewEvent[]): Promise<AppendResult | null> {
    const found = await this.client.query<{
      event_id: string;
      stream_id: string;
      stream_revision: number;
      global_position: number;
    }>(
      `SELECT event_id, stream_id, stream_revision, global_position FROM events
       WHERE event_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::text::jsonb))
       ORDER BY stream_id, stream_revision`,
      [JSON.stringify(events.map((event) => event.id))],
    );
    if (found.length === 0) return null;
    const sameAppend =
      found.length === events.length &&
      found.every(
        (row, index) =>
          row.stream_id === streamId &&
          row.event_id === events[index].id &&
          row.stream_revision === found[0].stream_revision + index,
      );
    if (!sameAppend) {
      const stored = new Set(found.map((row) => row.event_id));
      const first = events.find((event) => stored.has(event.id)) ?? events[0];
      throw new DuplicateEventIdError(first.id);
    }
    const last = found[found.length - 1];
    return { revision: last.stream_revision, position: last.global_position, appended: false };
  }

  private async appendNothing(streamId: string, expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    checkExpectedRevision(streamId, expectedRevision, last?.revision ?? null);
    return { revision: last?.revision ?? -1, position: last?.position ?? 0, appended: false };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const from = options.fromRevision ?? (forwards ? 0 : Number.MAX_SAFE_INTEGER);
    const to = options.toRevision ?? (forwards ? Number.MAX_SAFE_INTEGER : 0);
    const rows = await this.client.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE stream_id = $1 AND stream_revision BETWEEN $2 AND $3
       ORDER BY stream_revision ${forwards ? 'ASC' : 'DESC'}
       LIMIT $4`,
      [streamId, forwards ? from : to, forwards ? to : from, options.maxCount ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const rows = await this.client.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events
       WHERE global_position > $1 AND ${SETTLED}
       ORDER BY global_position
       LIMIT $2`,
      [options.after ?? 0, options.maxCount ?? this.batchSize],
    );
    return rows.map(toRecordedEvent);
  }

  async headPosition(): Promise<number> {
    const [row] = await this.client.query<{ position: number }>(
      `SELECT coalesce(max(global_position), 0) AS position FROM events WHERE ${SETTLED}`,
    );
    return row.position;
  }

  /** Without the settled filter: the last committed position, which readers may not see yet. */
  async lastCommittedPosition(): Promise<number> {
    const [row] = await this.client.query<{ position: number }>(
      'SELECT coalesce(max(global_position), 0) AS position FROM events',
    );
    return row.position;
  }

  subscribeToAll(options: SubscribeOptions, handler: BatchHandler): Subscription {
    const subscription = new SqlSubscription(
      {
        readAll: (after, maxCount) => this.tail.read(after, maxCount),
        // On PGlite every statement runs alone on the one connection: what is committed is settled.
        committedHead: this.client.dialect === 'pglite' ? undefined : () => this.lastCommittedPosition(),
        listen: (onNotify) => this.client.listen(this.channel, onNotify),
        pollIntervalMs: this.pollIntervalMs,
      },
      { after: options.after ?? 0, batchSize: options.batchSize ?? this.batchSize },
      handler,
    );
    this.subscriptions.add(subscription);
    void subscription.done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    // Appends already made are committed (or refused) before the notifier's last word.
    while (this.running.size > 0 || this.waiting.length > 0) {
      if (this.running.size === 0) this.scheduleDispatch();
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.all(this.running);
    }
    await this.notifier?.flush();
  }
}

/** The canonical JSON of every event of the batch, in order, as one JSON array (see APPEND_BATCH). */
function canonicalEventsArray(batch: readonly PendingAppend[]): string {
  let out = '[';
  for (const pending of batch) {
    for (const event of pending.events) {
      if (out.length > 1) out += ',';
      out += canonicalEventJson(event);
    }
  }
  return `${out}]`;
}

/** What a batch holds of an append: its stream first, then its event ids. */
function keysOf(pending: PendingAppend): string[] {
  return [`stream:${pending.streamId}`, ...pending.events.map((event) => `event:${event.id}`)];
}

/**
 * An error the server answered a statement with (severity ERROR: the transaction is rolled back, the
 * session goes on), as opposed to a connection lost or ended by the server (FATAL, or no SQLSTATE).
 */
function refusedByServer(error: unknown): boolean {
  return sqlStateOf(error) !== undefined && (error as { severity?: unknown }).severity === 'ERROR';
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${name} must be a whole number ≥ 1`);
  return value;
}

function checkExpectedRevision(streamId: string, expected: ExpectedRevision, current: number | null): void {
  const matches =
    expected === 'any' ||
    (expected === 'no_stream' && current === null) ||
    (expected === 'stream_exists' && current !== null) ||
    expected === current;
  if (!matches) throw new WrongExpectedRevisionError(streamId, expected, current);
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    version: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    streamId: row.stream_id,
    revision: row.stream_revision,
    position: row.global_position,
    recordedAt: row.recorded_at,
    hash: row.hash,
  };
}
