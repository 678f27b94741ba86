import { randomUUID } from 'node:crypto';
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
import { GENESIS_HASH } from '../hash-chain';
import {
  appendOptions,
  BACKWARDS,
  END,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  START,
  streamNameFilter,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type EsdbPosition,
  type EsdbReadStreamOptions,
  type EsdbRecordedEvent,
  type EventStoreDBClient,
} from './client';
import {
  appendIdOf,
  assertWritable,
  chainEvents,
  isSystemEvent,
  RESERVATION_EVENT_TYPE,
  reservationStreamOf,
  reservedFor,
  toRecordedEvent,
} from './event-codec';
import { isAfterCheckpoint, toEsdbPosition, toGlobalPosition } from './position';

export interface EsdbEventStoreOptions {
  /**
   * Put in front of every stream name this store writes and reads; the global log is seen through
   * it (only streams that carry it). Default: none, the whole database. Lets test runs, or several
   * stores, share one server without seeing each other's events.
   */
  streamPrefix?: string;
}

const DEFAULT_BATCH = 500;
const SCAN_PAGE = 500;
/** An append that loses a race looks again (it may have been its own copy); this many times at most. */
const MAX_APPEND_ATTEMPTS = 50;
/** How many positions handed out by this store are remembered as safe places to resume from. */
const REMEMBERED_POSITIONS = 10_000;

interface Resolved {
  event: EsdbRecordedEvent;
  commitPosition?: bigint;
}

/**
 * The event store port on EventStoreDB / KurrentDB.
 *
 * Appends. The adapter first reads as many events from the end of the stream as it is about to
 * append: that gives the current revision, the hash to chain from, and the ids at the end.
 * 1. Every new id already at the end, in order: a retried append, answered from what is stored.
 * 2. Each id is reserved for this stream (see event-codec.ts); an id owned by another stream is a
 *    {@link DuplicateEventIdError}. An id reserved before (by an earlier attempt, or a concurrent
 *    copy of this append) sends the adapter looking through the stream: the whole append found
 *    there in order is a retry (answered from what is stored, `appended: false`); part of it is a
 *    DuplicateEventIdError.
 * 3. The caller's expected revision is checked against the revision read, and the events go out
 *    pinned to that revision (a number, or `no_stream`), so the hash chained to the last event read
 *    is never written after somebody else's event. Losing that race means reading again: the
 *    winner may have been a copy of this very append, otherwise a pinned expectation fails and
 *    `any` / `stream_exists` try again.
 * `appended` is exact: after a successful append the last event is read back and its `$append`
 * id compared with this call's (EventStoreDB also answers success to a copy of an append that a
 * concurrent call stored first).
 *
 * Positions: see position.ts. A checkpoint that is not the position of an event (any number is a
 * valid port checkpoint; EventStoreDB only reads from record boundaries) is resolved to the event
 * at or before it by reading `$all` backwards from the end; positions this store has handed out
 * are remembered and skip that search.
 *
 * Reads of `$all` leave out EventStoreDB's own events and the id reservations (`$` types or `$`
 * streams). The 6.x client sends no filter with `readAll`, so reads filter here and keep reading
 * until the batch is full; the live part of a subscription is filtered on the server.
 * Event positions on stream reads need EventStoreDB 22.6 or later.
 */
export class EsdbEventStore implements EventStore {
  private readonly prefix: string;
  private readonly subscriptions = new Set<EsdbSubscription>();
  /** Where to resume after a checkpoint: positions of events this store has seen, and resolved ones. */
  private readonly resumePoints = new RecentMap<number, EsdbPosition>(REMEMBERED_POSITIONS);
  private closed = false;

  constructor(
    private readonly client: EventStoreDBClient,
    options: EsdbEventStoreOptions = {},
  ) {
    this.prefix = options.streamPrefix ?? '';
    if (this.prefix.startsWith('$')) {
      throw new TypeError('streamPrefix must not start with $ (system streams)');
    }
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    const ids = new Set<string>();
    for (const event of events) {
      assertWritable(streamId, event);
      if (ids.has(event.id)) throw new DuplicateEventIdError(event.id);
      ids.add(event.id);
    }
    const stream = this.prefix + streamId;
    const appendId = randomUUID();
    let reservedByThisCall: boolean | undefined;

    for (let attempt = 1; ; attempt++) {
      const tail = (
        await this.readRecorded(stream, { direction: 'backwards', maxCount: Math.max(events.length, 1) })
      ).reverse();
      const last = tail.at(-1);
      const current = last ? last.revision : -1;
      const conflict = () =>
        new WrongExpectedRevisionError(streamId, expectedRevision, current < 0 ? null : current);

      if (events.length === 0) {
        if (violates(expectedRevision, current)) throw conflict();
        return { revision: current, position: last?.position ?? 0, appended: false };
      }
      if (tail.length === events.length && events.every((event, i) => tail[i]!.id === event.id)) {
        return { revision: current, position: last!.position, appended: false };
      }
      reservedByThisCall ??= await this.reserve(stream, events);
      if (!reservedByThisCall || tail.some((event) => ids.has(event.id))) {
        const earlier = await this.findAppend(stream, events);
        if (earlier) return earlier;
      }
      if (violates(expectedRevision, current)) throw conflict();

      let result;
      try {
        result = await this.client.appendToStream(
          stream,
          chainEvents(last ? last.hash : GENESIS_HASH, events, appendId).map((event) =>
            jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.storedMetadata }),
          ),
          appendOptions(current < 0 ? 'no_stream' : current),
        );
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (attempt >= MAX_APPEND_ATTEMPTS) {
          const actual = error.actualVersion === 'no_stream' ? null : Number(error.actualVersion);
          throw new WrongExpectedRevisionError(streamId, expectedRevision, actual);
        }
        await backOff(attempt);
        continue;
      }

      // Success does not prove this call wrote: EventStoreDB answers a copy of an append that is
      // already stored (same ids after the expected revision) with success too. The `$append` id
      // of the last event tells.
      const revision = Number(result.nextExpectedRevision);
      const [stored] = await this.readResolved(stream, { fromRevision: revision, maxCount: 1 });
      if (!stored) throw new Error(`Stream ${streamId} has no event at revision ${revision} after an append`);
      const recorded = this.toRecorded(stored);
      return { revision, position: recorded.position, appended: appendIdOf(stored.event) === appendId };
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.readRecorded(this.prefix + streamId, options);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? DEFAULT_BATCH;
    if (limit <= 0) return [];
    const after = options.after;
    const pageSize = limit + 1;
    const out: RecordedEvent[] = [];
    // Reading $all from a position includes the record there: `cursor` is the last record seen.
    let cursor = await this.resumePoint(after);
    for (;;) {
      const page = this.client.readAll({
        direction: FORWARDS,
        fromPosition: cursor ?? START,
        maxCount: pageSize,
      });
      let seen = 0;
      try {
        for await (const resolved of page) {
          seen++;
          const event = resolved.event;
          if (!event) continue;
          if (cursor && !positionAfter(event.position, cursor)) continue;
          cursor = event.position;
          if (!this.isOwnEvent(event)) continue;
          const recorded = this.toRecorded({ event, commitPosition: resolved.commitPosition });
          if (!isAfterCheckpoint(recorded.position, after)) continue;
          out.push(recorded);
          if (out.length >= limit) break;
        }
      } finally {
        await page.cancel().catch(() => undefined);
      }
      if (out.length >= limit || seen < pageSize) return out;
    }
  }

  subscribeToAll(options: SubscribeOptions, handler: BatchHandler): Subscription {
    if (this.closed) throw new Error('The EventStoreDB event store is closed');
    const subscription = new EsdbSubscription(
      {
        readAll: (after, maxCount) => this.readAll({ after: after ?? undefined, maxCount }),
        follow: async (after) =>
          this.client.subscribeToAll({
            fromPosition: (await this.resumePoint(after)) ?? START,
            filter: this.prefix ? streamNameFilter({ prefixes: [this.prefix] }) : excludeSystemEvents(),
          }),
        toOwnEvent: (resolved) =>
          resolved.event && this.isOwnEvent(resolved.event)
            ? this.toRecorded({ event: resolved.event, commitPosition: resolved.commitPosition })
            : undefined,
      },
      { after: options.after ?? null, batchSize: Math.max(1, options.batchSize ?? DEFAULT_BATCH) },
      handler,
    );
    this.subscriptions.add(subscription);
    void subscription.done.then(
      () => this.subscriptions.delete(subscription),
      () => this.subscriptions.delete(subscription),
    );
    return subscription;
  }

  async headPosition(): Promise<number> {
    const head = await this.scanBackwards((event) => this.isOwnEvent(event));
    if (!head) return 0;
    const position = toGlobalPosition(head.position);
    this.resumePoints.set(position, head.position);
    return position;
  }

  /** Reads the last event of `$all` within `timeoutMs`: proves the server answers and lets us read. */
  async probe(timeoutMs: number): Promise<void> {
    const read = (async () => {
      const page = this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
        deadline: timeoutMs,
      });
      try {
        for await (const _ of page) break;
      } finally {
        await page.cancel().catch(() => undefined);
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([read, timeout]);
    } finally {
      clearTimeout(timer);
      read.catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.client.dispose();
  }

  private isOwnEvent(event: EsdbRecordedEvent): boolean {
    return !isSystemEvent(event) && event.streamId.startsWith(this.prefix);
  }

  private toRecorded(resolved: Resolved): RecordedEvent {
    const recorded = toRecordedEvent(resolved.event, resolved.commitPosition, this.prefix);
    this.resumePoints.set(recorded.position, toEsdbPosition(recorded.position));
    return recorded;
  }

  private async readRecorded(stream: string, options: ReadStreamOptions): Promise<RecordedEvent[]> {
    return (await this.readResolved(stream, options)).map((resolved) => this.toRecorded(resolved));
  }

  /** A stream read with the port's options; an empty array when the stream does not exist. */
  private async readResolved(stream: string, options: ReadStreamOptions): Promise<Resolved[]> {
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const { fromRevision, toRevision, maxCount } = options;
    if (maxCount !== undefined && maxCount <= 0) return [];
    if (fromRevision !== undefined && fromRevision < 0) return [];
    let count = maxCount ?? Number.MAX_SAFE_INTEGER;
    if (toRevision !== undefined) {
      const start = fromRevision ?? (forwards ? 0 : undefined);
      if (start !== undefined) {
        const span = forwards ? toRevision - start + 1 : start - toRevision + 1;
        if (span <= 0) return [];
        count = Math.min(count, span);
      }
    }
    const esdbOptions: EsdbReadStreamOptions = {
      direction: forwards ? FORWARDS : BACKWARDS,
      fromRevision: fromRevision === undefined ? (forwards ? START : END) : BigInt(fromRevision),
      maxCount: count,
    };
    const read = this.client.readStream(stream, esdbOptions);
    const out: Resolved[] = [];
    try {
      for await (const resolved of read) {
        const event = resolved.event;
        if (!event) continue;
        const revision = Number(event.revision);
        if (toRevision !== undefined && (forwards ? revision > toRevision : revision < toRevision)) break;
        out.push({ event, commitPosition: resolved.commitPosition });
        if (out.length >= count) break;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    } finally {
      await read.cancel().catch(() => undefined);
    }
    return out;
  }

  /** Reserves every id for `stream`; true when this call made every reservation itself. */
  private async reserve(stream: string, events: NewEvent[]): Promise<boolean> {
    const made = await Promise.all(events.map((event) => this.reserveId(stream, event.id)));
    return made.every(Boolean);
  }

  private async reserveId(stream: string, eventId: string): Promise<boolean> {
    const reservation = reservationStreamOf(this.prefix, eventId);
    try {
      await this.client.appendToStream(
        reservation,
        jsonEvent({ id: randomUUID(), type: RESERVATION_EVENT_TYPE, data: { streamId: stream } }),
        appendOptions('no_stream'),
      );
      return true;
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    const [owner] = await this.readResolved(reservation, { maxCount: 1 });
    if (reservedFor(owner?.event) !== stream) throw new DuplicateEventIdError(eventId);
    return false;
  }

  /** The earlier append of exactly these events to `stream`, if there was one (see the class comment). */
  private async findAppend(stream: string, events: NewEvent[]): Promise<AppendResult | null> {
    const stored = await this.readRecorded(stream, {});
    const index = new Map(stored.map((event, i) => [event.id, i]));
    const found = events.map((event) => index.get(event.id));
    const first = found[0];
    if (found.every((i) => i === undefined)) return null;
    if (first === undefined || !found.every((i, n) => i === first + n)) {
      throw new DuplicateEventIdError(events.find((_, n) => found[n] !== undefined)!.id);
    }
    const last = stored[first + events.length - 1]!;
    return { revision: last.revision, position: last.position, appended: false };
  }

  /**
   * Where to read `$all` from to see everything strictly after `checkpoint` (undefined: from the
   * start). A remembered position is used as is; any other number is resolved to the event at or
   * before it, found by reading backwards from the end.
   */
  private async resumePoint(checkpoint: number | null | undefined): Promise<EsdbPosition | undefined> {
    // Position 0 is the first record of the log, always one of the server's own.
    if (checkpoint === undefined || checkpoint === null || checkpoint === 0) return undefined;
    const known = this.resumePoints.get(checkpoint);
    if (known) return known;
    const wanted = toEsdbPosition(checkpoint);
    const atOrBefore = await this.scanBackwards((event) => !positionAfter(event.position, wanted));
    if (!atOrBefore) return undefined;
    this.resumePoints.set(checkpoint, atOrBefore.position);
    return atOrBefore.position;
  }

  /** The last record of `$all` (system ones included) that `matches`, reading backwards from the end. */
  private async scanBackwards(
    matches: (event: EsdbRecordedEvent & { position: EsdbPosition }) => boolean,
  ): Promise<(EsdbRecordedEvent & { position: EsdbPosition }) | undefined> {
    let from: EsdbPosition | typeof END = END;
    for (;;) {
      const page = this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: SCAN_PAGE });
      let seen = 0;
      let oldest: EsdbPosition | undefined;
      try {
        for await (const resolved of page) {
          seen++;
          const event = resolved.event;
          if (!event) continue;
          if (oldest && !positionAfter(oldest, event.position)) continue;
          oldest = event.position;
          if (matches(event)) return event;
        }
      } finally {
        await page.cancel().catch(() => undefined);
      }
      if (seen < SCAN_PAGE || !oldest) return undefined;
      from = oldest;
    }
  }
}

interface SubscriptionSource {
  /** One batch of the store's events strictly after `after` (null: from the start). */
  readAll(after: number | null, maxCount: number): Promise<RecordedEvent[]>;
  /** A catch-up subscription to `$all` strictly after `after`, filtered on the server. */
  follow(after: number | null): Promise<ReturnType<EventStoreDBClient['subscribeToAll']>>;
  /** The port event for a delivered record, or undefined when it is not one of the store's. */
  toOwnEvent(resolved: AllStreamResolvedEvent): RecordedEvent | undefined;
}

/**
 * Catches up with `$all` page by page (batches of exactly `batchSize` while there is a backlog),
 * then follows it with a catch-up subscription from the last event delivered, which also covers
 * what was appended in between. One loop: batches reach the handler one after the other.
 */
class EsdbSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly source: SubscriptionSource,
    options: { after: number | null; batchSize: number },
    private readonly handler: BatchHandler,
  ) {
    this.done = this.run(options.after, options.batchSize);
    // Whoever awaits `done` sees the error; nobody awaiting it is not an unhandled rejection.
    this.done.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.signal();
    await this.done.catch(() => undefined);
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async run(checkpoint: number | null, batchSize: number): Promise<void> {
    let last = checkpoint;
    for (;;) {
      const page = await this.source.readAll(last, batchSize);
      if (this.stopping) return;
      if (page.length > 0) {
        await this.handler(page);
        last = page.at(-1)!.position;
        if (this.stopping) return;
      }
      if (page.length < batchSize) break;
    }
    await this.follow(await this.source.follow(last), last, batchSize);
  }

  private async follow(
    live: ReturnType<EventStoreDBClient['subscribeToAll']>,
    checkpoint: number | null,
    batchSize: number,
  ): Promise<void> {
    let failure: unknown;
    let ended = false;
    // Listeners stay attached for the whole life of the subscription, so an error raised while the
    // handler runs is kept for the next turn instead of being thrown as an unhandled 'error' event.
    live.on('readable', () => this.signal());
    live.on('error', (error: Error) => {
      failure ??= error;
      this.signal();
    });
    live.on('end', () => {
      ended = true;
      this.signal();
    });
    let last = checkpoint;
    try {
      while (!this.stopping) {
        const batch: RecordedEvent[] = [];
        while (batch.length < batchSize) {
          const resolved = live.read() as AllStreamResolvedEvent | null;
          if (resolved === null) break;
          const event = this.source.toOwnEvent(resolved);
          if (!event || !isAfterCheckpoint(event.position, last)) continue;
          batch.push(event);
          last = event.position;
        }
        if (batch.length > 0) {
          await this.handler(batch);
          continue;
        }
        if (failure !== undefined) throw failure;
        if (ended) throw new Error('The EventStoreDB server ended the subscription to $all');
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      await live.unsubscribe().catch(() => undefined);
    }
  }
}

/** A map that forgets its oldest entries beyond `capacity`. */
class RecentMap<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    if (this.entries.has(key)) return;
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }
}

function positionAfter(a: EsdbPosition, b: EsdbPosition): boolean {
  return a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);
}

/** Whether the stream's current revision (-1: no stream) breaks the caller's expectation. */
function violates(expected: ExpectedRevision, current: number): boolean {
  if (expected === 'any') return false;
  if (expected === 'no_stream') return current >= 0;
  if (expected === 'stream_exists') return current < 0;
  return current !== expected;
}

/** A short, growing, jittered pause before an append that lost a race looks again. */
function backOff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 ** Math.min(attempt, 6));
  return new Promise((resolve) => setTimeout(resolve, ms));
}
