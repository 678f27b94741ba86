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
import { chainHash, GENESIS_HASH } from '../hash-chain';
import { SqlSubscription } from './sql-subscription';

export interface SqlEventStoreOptions {
  /** Events per subscription batch when the subscriber does not say. Default 500. */
  batchSize?: number;
  /** While idle, subscriptions also poll this often, in case a notification was lost. Default 1000 ms. */
  pollIntervalMs?: number;
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

  constructor(
    private readonly client: SqlClient,
    options: SqlEventStoreOptions = {},
  ) {
    this.channel = eventsChannel(client.schema);
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    const ids = new Set<string>();
    for (const { id } of events) {
      if (!UUID.test(id)) throw new TypeError(`Event id ${id} is not a lower-case UUID`);
      if (ids.has(id)) throw new DuplicateEventIdError(id);
      ids.add(id);
    }
    if (events.length === 0) return this.appendNothing(streamId, expectedRevision);
    try {
      return await this.client.transaction((tx) => this.append(tx, streamId, events, expectedRevision));
    } catch (error) {
      // A conflict may be this very append, retried: then it already happened, once.
      const retried =
        error instanceof WrongExpectedRevisionError ||
        sqlStateOf(error) === SqlState.uniqueViolation ||
        sqlStateOf(error) === SqlState.deadlockDetected;
      if (retried) {
        const original = await this.findAppend(streamId, events);
        if (original) return original;
      }
      throw error;
    }
  }

  private async append(
    tx: Pick<SqlClient, 'query'>,
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    const [opened] = await tx.query<{
      positions: (number | string)[];
      previous_revision: number;
      previous_hash: string | null;
    }>('SELECT positions, previous_revision, previous_hash FROM begin_append($1, $2)', [
      streamId,
      events.length,
    ]);
    const current = opened.previous_revision < 0 ? null : opened.previous_revision;
    checkExpectedRevision(streamId, expectedRevision, current);

    const positions = opened.positions.map(Number);
    let previousHash = opened.previous_hash ?? GENESIS_HASH;
    const rows = events.map((event, index) => {
      previousHash = chainHash(previousHash, event);
      return {
        global_position: positions[index],
        stream_revision: (current ?? -1) + 1 + index,
        event_id: event.id,
        event_type: event.type,
        schema_version: event.version,
        data: event.data,
        metadata: event.metadata,
        hash: previousHash,
      };
    });
    const last = rows[rows.length - 1];
    await tx.query(
      `WITH inserted AS (
         INSERT INTO events (global_position, stream_id, stream_revision, event_id, event_type, schema_version,
                             data, metadata, hash)
         SELECT e.global_position, $1, e.stream_revision, e.event_id, e.event_type, e.schema_version,
                e.data, e.metadata, e.hash
         FROM jsonb_to_recordset($2::text::jsonb) AS e(global_position bigint, stream_revision bigint, event_id uuid,
              event_type text, schema_version integer, data jsonb, metadata jsonb, hash text)
       )
       SELECT pg_notify($3, $4)`,
      [streamId, JSON.stringify(rows), this.channel, String(last.global_position)],
    );
    return { revision: last.stream_revision, position: last.global_position, appended: true };
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

  subscribeToAll(options: SubscribeOptions, handler: BatchHandler): Subscription {
    const subscription = new SqlSubscription(
      {
        readAll: (after, maxCount) => this.readAll({ after, maxCount }),
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
  }
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
