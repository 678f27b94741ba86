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
  isInvalidPosition,
  isNotLeader,
  isOutcomeUnknown,
  isResumable,
  jsonEvent,
  ON_LEADER,
  START,
  streamNameFilter,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type EsdbAppendResult,
  type EsdbClient,
  type EsdbPosition,
  type EsdbReadStreamOptions,
  type EsdbRecordedEvent,
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
/** How long an append keeps trying after lost races or answers that said nothing; then it fails. */
const APPEND_BUDGET_MS = 10_000;
/**
 * The server answers the loser of a reservation race before the winner's event can be read, and
 * times a write out after 2 s (WriteTimeoutMs): how long a loser waits to see the owner.
 */
const RESERVATION_VISIBLE_MS = 2_500;
/** A reservation refused but never readable (its write failed after all) is tried again, this often. */
const RESERVATION_ROUNDS = 3;
/** Numbers that are no record boundary, once resolved (the store never hands one out: few). */
const RESOLVED_POSITIONS = 1_000;
/** Attempts of a call refused by a node that is no longer the leader. */
const LEADER_ATTEMPTS = 3;
/** Resubscriptions in a row without a delivered event before a subscription gives up. */
const MAX_RESUBSCRIPTIONS = 5;

/**
 * The event store port on EventStoreDB / KurrentDB.
 *
 * Every call is made with `requiresLeader`: a follower would answer reads from its own copy, which
 * lags, and a client still connected to a former leader would never notice. A node that is not the
 * leader refuses; the client reconnects to the leader it names and the call is made again.
 *
 * Appends. The adapter first reads as many events from the end of the stream as it is about to
 * append: that gives the current revision, the hash to chain from, and the ids at the end.
 * 1. Every new id already at the end, in order: a retried append, answered from what is stored.
 * 2. The caller's expected revision is checked against the revision read (a conflict reserves
 *    nothing; a retry whose events lie further back is still answered from them).
 * 3. Each id is reserved for this stream (see event-codec.ts); an id owned by another stream is a
 *    {@link DuplicateEventIdError}. The server answers the loser of a reservation race before the
 *    winner's reservation can be read, so a loser waits until it can read the owner. An id reserved
 *    before (an earlier attempt, or a concurrent copy of this append) sends the adapter looking
 *    through the stream: the whole append found there in order is a retry; part of it is a
 *    DuplicateEventIdError.
 * 4. The events go out pinned to the revision read (a number, or `no_stream`), so the hash chained
 *    to the last event read is never written after somebody else's event. Losing that race, or an
 *    answer that says nothing (a timeout: the server drops a copy of a write it has not indexed
 *    yet, or a node lost), means reading again, for up to {@link APPEND_BUDGET_MS}; every attempt
 *    after the first looks for the events after the revision first read, where a concurrent copy
 *    would have put them.
 * `appended` is exact: the `$append` id of the last event tells whether this call wrote it
 * (EventStoreDB also answers success to a copy of an append that is already stored).
 *
 * Positions: see position.ts. Every position this store hands out (checkpoints, page cursors,
 * copy-log progress) is the exact EventStoreDB position of an event, so resuming from one costs no
 * read. Any other number is a valid port checkpoint too, but EventStoreDB reads only from record
 * boundaries: the server refuses it, and only then is it resolved to the event at or before it,
 * by reading `$all` backwards from the end (and remembered).
 *
 * Reads of `$all` leave out EventStoreDB's own events and the id reservations (`$` types or `$`
 * streams). The 6.x client sends no filter with `readAll`, so reads filter here and keep reading
 * until the batch is full; the live part of a subscription is filtered on the server, and is
 * opened again from its last event when the server drops it. Event positions need EventStoreDB
 * 22.6 or later.
 */
export class EsdbEventStore implements EventStore {
  private readonly prefix: string;
  private readonly subscriptions = new Set<EsdbSubscription>();
  /** Numbers that are no record boundary, and the record at or before each (null: none, the start). */
  private readonly resolved = new LruMap<number, EsdbPosition | null>(RESOLVED_POSITIONS);
  private closed = false;

  constructor(
    private readonly client: EsdbClient,
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
    const call: AppendCall = {
      streamId,
      stream: this.prefix + streamId,
      events,
      expectedRevision,
      appendId: randomUUID(),
      firstCurrent: undefined,
      reserved: false,
    };
    const giveUpAt = Date.now() + APPEND_BUDGET_MS;
    for (let attempt = 1; ; attempt++) {
      let outcome: AppendResult | LostRace;
      try {
        outcome = await this.appendOnce(call);
      } catch (error) {
        // No answer (a node lost, a leader change, a timeout): the events may be stored; look again.
        if (!isOutcomeUnknown(error) || Date.now() >= giveUpAt) throw error;
        await pause(Math.random() * Math.min(1_000, 25 * 2 ** Math.min(attempt, 6)));
        continue;
      }
      if (!(outcome instanceof LostRace)) return outcome;
      if (Date.now() >= giveUpAt) throw outcome.error;
      await pause(Math.random() * Math.min(50, 2 ** Math.min(attempt, 6)));
    }
  }

  /** One attempt of {@link appendToStream}: its answer, or the race it lost (try again). */
  private async appendOnce(call: AppendCall): Promise<AppendResult | LostRace> {
    const { streamId, stream, events, expectedRevision, appendId } = call;
    const tail = (
      await this.readResolved(stream, { direction: 'backwards', maxCount: Math.max(events.length, 1) })
    ).reverse();
    const lastStored = tail.at(-1);
    const last = lastStored ? this.toRecorded(lastStored) : undefined;
    const current = last ? last.revision : -1;
    const conflict = () =>
      new WrongExpectedRevisionError(streamId, expectedRevision, current < 0 ? null : current);

    if (events.length === 0) {
      if (violates(expectedRevision, current)) throw conflict();
      return { revision: current, position: last?.position ?? 0, appended: false };
    }
    if (tail.length === events.length && events.every((event, i) => tail[i]!.id === event.id)) {
      return this.answerFrom(lastStored!, appendId);
    }
    call.firstCurrent ??= current;
    if (violates(expectedRevision, current)) {
      const earlier = await this.findAppend(stream, events, 0, appendId);
      if (earlier) return earlier;
      throw conflict();
    }
    if (!call.reserved) {
      const reservedHere = await this.reserve(stream, events);
      call.reserved = true;
      if (!reservedHere) {
        const earlier = await this.findAppend(stream, events, 0, appendId);
        if (earlier) return earlier;
      }
    } else {
      // A copy of this append can only have landed after the revision the first attempt read.
      const earlier = await this.findAppend(stream, events, call.firstCurrent + 1, appendId);
      if (earlier) return earlier;
    }

    let result: EsdbAppendResult;
    try {
      result = await this.onLeader(() =>
        this.client.appendToStream(
          stream,
          chainEvents(last ? last.hash : GENESIS_HASH, events, appendId).map((event) =>
            jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.storedMetadata }),
          ),
          { ...appendOptions(current < 0 ? 'no_stream' : current), ...ON_LEADER },
        ),
      );
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const actual = error.actualVersion === 'no_stream' ? null : Number(error.actualVersion);
      return new LostRace(new WrongExpectedRevisionError(streamId, expectedRevision, actual));
    }
    // Only with throwOnAppendFailure=false (refused by createEsdbEventStore): a lost race all the same.
    if (!result.success) return new LostRace(conflict());

    const revision = Number(result.nextExpectedRevision);
    const [stored] = await this.readResolved(stream, { fromRevision: revision, maxCount: 1 });
    if (!stored) throw new Error(`Stream ${streamId} has no event at revision ${revision} after an append`);
    return this.answerFrom(stored, appendId);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return (await this.readResolved(this.prefix + streamId, options)).map((event) => this.toRecorded(event));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = options.maxCount ?? DEFAULT_BATCH;
    if (limit <= 0) return [];
    const after = options.after;
    const pageSize = limit + 1;
    const out: RecordedEvent[] = [];
    // Reading $all from a position includes the record there: `cursor` is the last record seen.
    let cursor = this.resumePoint(after);
    let resolvedHere = false;
    for (;;) {
      let page: AllStreamResolvedEvent[];
      try {
        page = await this.readAllPage(cursor, pageSize);
      } catch (error) {
        if (!isInvalidPosition(error) || resolvedHere || out.length > 0 || !after) throw error;
        // `after` is no record boundary (the store never hands such a number out): find the record before.
        cursor = await this.resolveNonBoundary(after);
        resolvedHere = true;
        continue;
      }
      for (const { event } of page) {
        if (!event) continue;
        if (cursor && !positionAfter(event.position, cursor)) continue;
        cursor = event.position;
        if (!this.isOwnEvent(event)) continue;
        const recorded = this.toRecorded(event);
        if (!isAfterCheckpoint(recorded.position, after)) continue;
        out.push(recorded);
        if (out.length >= limit) return out;
      }
      if (page.length < pageSize) return out;
    }
  }

  subscribeToAll(options: SubscribeOptions, handler: BatchHandler): Subscription {
    if (this.closed) throw new Error('The EventStoreDB event store is closed');
    const subscription = new EsdbSubscription(
      {
        readAll: (after, maxCount) => this.readAll({ after: after ?? undefined, maxCount }),
        follow: (after) =>
          this.client.subscribeToAll({
            fromPosition: this.resumePoint(after) ?? START,
            filter: this.prefix ? streamNameFilter({ prefixes: [this.prefix] }) : excludeSystemEvents(),
            ...ON_LEADER,
          }),
        toOwnEvent: (resolved) =>
          resolved.event && this.isOwnEvent(resolved.event) ? this.toRecorded(resolved.event) : undefined,
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
    return head ? toGlobalPosition(head.position) : 0;
  }

  /** Reads the last event of `$all` within `timeoutMs`: proves the server answers and lets us read. */
  async probe(timeoutMs: number): Promise<void> {
    // No `deadline` option: this client ignores it on reads. The read is cancelled when time is up.
    const page = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 });
    const read = (async () => {
      for await (const _ of page) break;
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
      await page.cancel().catch(() => undefined);
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

  private toRecorded(event: EsdbRecordedEvent): RecordedEvent {
    return toRecordedEvent(event, this.prefix);
  }

  /** The answer for an append whose last event is `event`: written by this call or not. */
  private answerFrom(event: EsdbRecordedEvent, appendId: string): AppendResult {
    const recorded = this.toRecorded(event);
    return {
      revision: recorded.revision,
      position: recorded.position,
      appended: appendIdOf(event) === appendId,
    };
  }

  /** A call made once more when a node that is not the leader refused it (the client has moved on). */
  private async onLeader<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isNotLeader(error) || attempt >= LEADER_ATTEMPTS) throw error;
        // The client drops the connection and reconnects to the named leader in the background.
        await pause(50 * attempt);
      }
    }
  }

  /** A stream read with the port's options, on the leader; an empty array when the stream does not exist. */
  private async readResolved(stream: string, options: ReadStreamOptions): Promise<EsdbRecordedEvent[]> {
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
      ...ON_LEADER,
    };
    return this.onLeader(async () => {
      const read = this.client.readStream(stream, esdbOptions);
      const out: EsdbRecordedEvent[] = [];
      try {
        for await (const resolved of read) {
          const event = resolved.event;
          if (!event) continue;
          const revision = Number(event.revision);
          if (toRevision !== undefined && (forwards ? revision > toRevision : revision < toRevision)) break;
          out.push(event);
          if (out.length >= count) break;
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      } finally {
        await read.cancel().catch(() => undefined);
      }
      return out;
    });
  }

  /** One page of `$all` forwards from `from` (inclusive; undefined: the start), on the leader. */
  private readAllPage(from: EsdbPosition | undefined, maxCount: number): Promise<AllStreamResolvedEvent[]> {
    return this.onLeader(async () => {
      const read = this.client.readAll({
        direction: FORWARDS,
        fromPosition: from ?? START,
        maxCount,
        ...ON_LEADER,
      });
      const out: AllStreamResolvedEvent[] = [];
      try {
        for await (const resolved of read) out.push(resolved);
      } finally {
        await read.cancel().catch(() => undefined);
      }
      return out;
    });
  }

  /** Reserves every id for `stream`; true when this call made every reservation itself. */
  private async reserve(stream: string, events: NewEvent[]): Promise<boolean> {
    const made = await Promise.all(events.map((event) => this.reserveId(stream, event.id)));
    return made.every(Boolean);
  }

  private async reserveId(stream: string, eventId: string): Promise<boolean> {
    const reservation = reservationStreamOf(this.prefix, eventId);
    for (let round = 1; ; round++) {
      if (await this.tryReservation(reservation, stream)) return true;
      // Taken (or no answer). The server refuses the loser as soon as the winner's write is in its
      // log, before that write can be read: wait for the owner to become readable.
      const visibleBy = Date.now() + RESERVATION_VISIBLE_MS;
      for (let look = 1; ; look++) {
        const [owner] = await this.readResolved(reservation, { maxCount: 1 });
        if (owner) {
          if (reservedFor(owner) !== stream) throw new DuplicateEventIdError(eventId);
          return false;
        }
        if (Date.now() >= visibleBy) break;
        await backOff(look);
      }
      if (round >= RESERVATION_ROUNDS) {
        throw new Error(
          `EventStoreDB refused the reservation of event id ${eventId} but never showed its owner`,
        );
      }
    }
  }

  /** Appends the reservation; false when the stream exists already, or the answer said nothing. */
  private async tryReservation(reservation: string, stream: string): Promise<boolean> {
    try {
      const result = await this.onLeader(() =>
        this.client.appendToStream(
          reservation,
          jsonEvent({ id: randomUUID(), type: RESERVATION_EVENT_TYPE, data: { streamId: stream } }),
          { ...appendOptions('no_stream'), ...ON_LEADER },
        ),
      );
      return result.success;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError || isOutcomeUnknown(error)) return false;
      throw error;
    }
  }

  /**
   * The earlier append of exactly these events to `stream`, looked for from revision `from`, if there
   * was one (see the class comment).
   */
  private async findAppend(
    stream: string,
    events: NewEvent[],
    from: number,
    appendId: string,
  ): Promise<AppendResult | null> {
    const stored = await this.readResolved(stream, { fromRevision: from });
    const index = new Map(stored.map((event, i) => [event.id, i]));
    const found = events.map((event) => index.get(event.id));
    const first = found[0];
    if (found.every((i) => i === undefined)) return null;
    if (first === undefined || !found.every((i, n) => i === first + n)) {
      throw new DuplicateEventIdError(events.find((_, n) => found[n] !== undefined)!.id);
    }
    return this.answerFrom(stored[first + events.length - 1]!, appendId);
  }

  /** Where to read `$all` from to see everything after `checkpoint` (undefined: from the start). */
  private resumePoint(checkpoint: number | null | undefined): EsdbPosition | undefined {
    // Position 0 is the first record of the log, always one of the server's own.
    if (checkpoint === undefined || checkpoint === null || checkpoint === 0) return undefined;
    const known = this.resolved.get(checkpoint);
    if (known !== undefined) return known ?? undefined;
    return toEsdbPosition(checkpoint);
  }

  /** The record at or before `checkpoint`, a number that is no record boundary: a backwards scan. */
  private async resolveNonBoundary(checkpoint: number): Promise<EsdbPosition | undefined> {
    const wanted = toEsdbPosition(checkpoint);
    const atOrBefore = await this.scanBackwards((event) => !positionAfter(event.position, wanted));
    this.resolved.set(checkpoint, atOrBefore?.position ?? null);
    return atOrBefore?.position;
  }

  /** The last record of `$all` (system ones included) that `matches`, reading backwards from the end. */
  private async scanBackwards(
    matches: (event: EsdbRecordedEvent & { position: EsdbPosition }) => boolean,
  ): Promise<(EsdbRecordedEvent & { position: EsdbPosition }) | undefined> {
    let from: EsdbPosition | typeof END = END;
    for (;;) {
      const start = from;
      const page = await this.onLeader(async () => {
        const read = this.client.readAll({
          direction: BACKWARDS,
          fromPosition: start,
          maxCount: SCAN_PAGE,
          ...ON_LEADER,
        });
        const out: AllStreamResolvedEvent[] = [];
        try {
          for await (const resolved of read) out.push(resolved);
        } finally {
          await read.cancel().catch(() => undefined);
        }
        return out;
      });
      let oldest: EsdbPosition | undefined;
      for (const { event } of page) {
        if (!event) continue;
        if (oldest && !positionAfter(oldest, event.position)) continue;
        oldest = event.position;
        if (matches(event)) return event;
      }
      if (page.length < SCAN_PAGE || !oldest) return undefined;
      from = oldest;
    }
  }
}

interface SubscriptionSource {
  /** One batch of the store's events strictly after `after` (null: from the start). */
  readAll(after: number | null, maxCount: number): Promise<RecordedEvent[]>;
  /** A catch-up subscription to `$all` strictly after `after`, filtered on the server. */
  follow(after: number | null): ReturnType<EsdbClient['subscribeToAll']>;
  /** The port event for a delivered record, or undefined when it is not one of the store's. */
  toOwnEvent(resolved: AllStreamResolvedEvent): RecordedEvent | undefined;
}

/** The handler failed: the subscription stops with its error, never resubscribes. */
class HandlerFailure {
  constructor(readonly cause: unknown) {}
}

/** The server ended the live subscription without an error. */
class LiveEnded extends Error {
  constructor() {
    super('The EventStoreDB server ended the subscription to $all');
  }
}

/**
 * Catches up with `$all` page by page (batches of exactly `batchSize` while there is a backlog),
 * then follows it with a catch-up subscription from the last event delivered, which also covers
 * what was appended in between. One loop: batches reach the handler one after the other. When the
 * server drops the subscription (a lost node, a leader change, "consumer too slow" on 22.x and
 * 23.x), it catches up again from the last event delivered, after a growing pause; it gives up
 * after {@link MAX_RESUBSCRIPTIONS} drops in a row that delivered nothing.
 */
class EsdbSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopping = false;
  private wake: (() => void) | undefined;
  private last: number | null;
  private delivered = 0;

  constructor(
    private readonly source: SubscriptionSource,
    options: { after: number | null; batchSize: number },
    private readonly handler: BatchHandler,
  ) {
    this.last = options.after;
    this.done = this.run(options.batchSize);
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

  private async run(batchSize: number): Promise<void> {
    let drops = 0;
    for (;;) {
      const deliveredBefore = this.delivered;
      try {
        await this.catchUpAndFollow(batchSize);
        return;
      } catch (error) {
        if (error instanceof HandlerFailure) throw error.cause;
        if (this.stopping) return;
        if (this.delivered > deliveredBefore) drops = 0;
        drops++;
        if (!(error instanceof LiveEnded || isResumable(error)) || drops > MAX_RESUBSCRIPTIONS) throw error;
        await this.pause(Math.min(5_000, 100 * 2 ** (drops - 1)));
        if (this.stopping) return;
      }
    }
  }

  private async catchUpAndFollow(batchSize: number): Promise<void> {
    for (;;) {
      const page = await this.source.readAll(this.last, batchSize);
      if (this.stopping) return;
      if (page.length > 0) {
        await this.deliver(page);
        if (this.stopping) return;
      }
      if (page.length < batchSize) break;
    }
    await this.follow(this.source.follow(this.last), batchSize);
  }

  private async deliver(batch: RecordedEvent[]): Promise<void> {
    try {
      await this.handler(batch);
    } catch (error) {
      throw new HandlerFailure(error);
    }
    this.last = batch.at(-1)!.position;
    this.delivered += batch.length;
  }

  private async follow(live: ReturnType<EsdbClient['subscribeToAll']>, batchSize: number): Promise<void> {
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
    let seen = this.last;
    try {
      while (!this.stopping) {
        const batch: RecordedEvent[] = [];
        while (batch.length < batchSize) {
          const resolved = live.read() as AllStreamResolvedEvent | null;
          if (resolved === null) break;
          const event = this.source.toOwnEvent(resolved);
          if (!event || !isAfterCheckpoint(event.position, seen)) continue;
          batch.push(event);
          seen = event.position;
        }
        if (batch.length > 0) {
          await this.deliver(batch);
          continue;
        }
        if (failure !== undefined) throw failure;
        if (ended) throw new LiveEnded();
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      await live.unsubscribe().catch(() => undefined);
    }
  }

  /** Waits `ms`, or less if the subscription is stopped meanwhile. */
  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.wake = undefined;
  }
}

/** A map that forgets its least recently used entries beyond `capacity`. */
class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key)!;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
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

/** A short, growing, jittered pause before looking again. */
function backOff(attempt: number): Promise<void> {
  return pause(Math.random() * Math.min(50, 2 ** Math.min(attempt, 6)));
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What one attempt of an append knows, and what the attempts share. */
interface AppendCall {
  streamId: string;
  stream: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
  /** The id of this call, in each event's `$append`. */
  appendId: string;
  /** The stream's revision when the first attempt read it: a copy can only land after it. */
  firstCurrent: number | undefined;
  reserved: boolean;
}

/** An attempt lost a race; `error` is the answer once the time for attempts has run out. */
class LostRace {
  constructor(readonly error: WrongExpectedRevisionError) {}
}
