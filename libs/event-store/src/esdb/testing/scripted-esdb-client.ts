/**
 * A scripted stand-in for the EventStoreDB client, for the adapter's error-path specs only. It is
 * never a server for the contract suite: it models just the server behaviours that the adapter
 * must survive, each one as the EventStoreDB sources show it, and lets a spec decide exactly when
 * each happens:
 * - a write is in the log (the conflict check of other writes sees it) before it can be read, and
 *   is answered only once it can ({@link ScriptedEsdbClient.holdNextAppend});
 * - a copy of a write that is in the log but not yet readable is dropped by the server and times
 *   out with DeadlineExceeded ("IdempotentNotReady"), although the original is stored;
 * - a copy pinned to the revision before a stored write is answered with that write (AlreadyCommitted);
 * - a leader change that leaves the client on a node that no longer gets writes: reads without
 *   `requiresLeader` are served from its stale copy, reads with it are refused with NotLeader and
 *   the client reconnects to the leader ({@link ScriptedEsdbClient.loseLeadership});
 * - the server dropping live subscriptions ({@link ScriptedEsdbClient.dropSubscriptions});
 * - `$all` reads from a position where no record starts are refused (INVALID_ARGUMENT);
 * - `throwOnAppendFailure=false`: a failed append resolves, with the client's wrong revision.
 * Reads see only a prefix of the log: nothing can be read past a write that cannot be read yet.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeadlineExceededError,
  NotLeaderError,
  StreamNotFoundError,
  UnknownError,
  WrongExpectedVersionError,
  type EsdbClient,
  type EsdbPosition,
} from '../client';

/** Where records start: positions grow by this much per record, so most numbers are no boundary. */
export const RECORD_SIZE = 137n;
const FIRST_POSITION = 1_000n;

export interface ScriptedCall {
  method: 'appendToStream' | 'readStream' | 'readAll' | 'subscribeToAll';
  stream?: string;
  direction?: string;
  requiresLeader: boolean;
}

interface LogRecord {
  streamId: string;
  revision: number;
  id: string;
  type: string;
  data: unknown;
  metadata: unknown;
  position: bigint;
  created: Date;
  readable: boolean;
}

interface EventDataLike {
  id: string;
  type: string;
  data: unknown;
  metadata?: unknown;
}

interface CallOptions {
  requiresLeader?: boolean;
  expectedRevision?: string | bigint;
  direction?: string;
  fromRevision?: string | bigint;
  fromPosition?: string | EsdbPosition;
  maxCount?: number | bigint;
}

type ScriptedReadable = Readable & { cancel(): Promise<void>; unsubscribe(): Promise<void> };

export interface Hold {
  /** Resolves once the held write is in the log, before anyone can read it. */
  readonly inLog: Promise<void>;
  /** The write becomes readable and is answered. */
  release(): void;
}

export class ScriptedEsdbClient {
  /** Every call the adapter made, in order. */
  readonly calls: ScriptedCall[] = [];
  /** Copies of a not yet readable write that the server dropped (each timed out). */
  idempotentNotReady = 0;
  /** Reads cancelled by the adapter. */
  cancelledReads = 0;
  /** Streams whose reads were answered "stream not found", in order. */
  readonly notFound: string[] = [];

  private readonly log: LogRecord[] = [];
  private readonly lengths = new Map<string, number>();
  private nextPosition = FIRST_POSITION;
  private onFormerLeader = false;
  private formerLeaderHas = 0;
  private stalled = false;
  private readonly holds = new Map<string, { inLog: () => void; released: Promise<void> }>();
  private readonly hooks = new Map<string, () => Promise<void>>();
  private readonly lostAnswers = new Map<string, { error: Error; failingReads: number }>();
  private failingReads: { count: number; error: Error } | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly live = new Set<{ stream: ScriptedReadable; next: number }>();

  constructor(private readonly options: { throwOnAppendFailure?: boolean } = {}) {}

  /** The double as the adapter sees it. */
  asClient(): EsdbClient {
    return this as unknown as EsdbClient;
  }

  // ---- scripting ----

  /** Writes `count` events of other writers straight into the log (readable at once). */
  seed(streamId: string, count: number): void {
    for (let i = 0; i < count; i++) {
      this.push(streamId, { id: randomUUID(), type: 'Seeded', data: { i }, metadata: {} }, true);
    }
    this.notify();
  }

  /** The next append to `streamId` goes into the log but stays unreadable and unanswered until released. */
  holdNextAppend(streamId: string): Hold {
    let inLog!: () => void;
    let release!: () => void;
    const hold: Hold = {
      inLog: new Promise<void>((resolve) => (inLog = resolve)),
      release: () => release(),
    };
    this.holds.set(streamId, { inLog, released: new Promise<void>((resolve) => (release = resolve)) });
    return hold;
  }

  /** Runs `before` when the next append to `streamId` arrives, before the server looks at it. */
  beforeNextAppend(streamId: string, before: () => Promise<void>): void {
    this.hooks.set(streamId, before);
  }

  /**
   * The next append to `streamId` is stored, but its answer is lost: the client gets `error`, and
   * the `failingReads` reads after it fail with `error` too (the node is gone until a leader is elected).
   */
  loseAnswerOfNextAppend(streamId: string, error: Error, failingReads = 0): void {
    this.lostAnswers.set(streamId, { error, failingReads });
  }

  /**
   * A leader election that the client does not notice: the node it is connected to becomes a
   * follower that gets no more writes. Writes are forwarded to the new leader.
   */
  loseLeadership(): void {
    this.onFormerLeader = true;
    this.formerLeaderHas = this.visibleEnd();
  }

  /** The server drops every live subscription with `error`. */
  dropSubscriptions(error: Error): void {
    for (const subscription of this.live) subscription.stream.destroy(error);
    this.live.clear();
  }

  /** How many live subscriptions the server is feeding. */
  get liveSubscriptions(): number {
    return this.live.size;
  }

  /** `$all` reads never answer. */
  stallReads(): void {
    this.stalled = true;
  }

  /** The readable events of a stream, ids in order. */
  idsIn(streamId: string): string[] {
    return this.visible(false)
      .filter((record) => record.streamId === streamId)
      .map((record) => record.id);
  }

  /** Every stream that has a readable record. */
  streams(): string[] {
    return [...new Set(this.visible(false).map((record) => record.streamId))];
  }

  /** The position of the readable event with this id. */
  positionOf(eventId: string): number {
    const record = this.visible(false).find((candidate) => candidate.id === eventId);
    if (!record) throw new Error(`No readable event ${eventId}`);
    return Number(record.position);
  }

  // ---- the client's calls ----

  async appendToStream(
    streamId: string,
    data: EventDataLike | EventDataLike[],
    options: CallOptions = {},
  ): Promise<{ success: boolean; nextExpectedRevision: bigint; position?: EsdbPosition }> {
    const events = Array.isArray(data) ? data : [data];
    this.calls.push({ method: 'appendToStream', stream: streamId, requiresLeader: !!options.requiresLeader });
    await Promise.resolve();
    if (options.requiresLeader && this.onFormerLeader) throw this.notLeader();
    const before = this.hooks.get(streamId);
    if (before) {
      this.hooks.delete(streamId);
      await before();
    }
    const records = this.log.filter((record) => record.streamId === streamId);
    const current = records.length - 1;
    const expected = options.expectedRevision ?? 'any';
    const pinned =
      expected === 'no_stream' ? -1 : typeof expected === 'bigint' ? Number(expected) : undefined;

    if (pinned !== undefined && pinned < current) {
      // The server's idempotency check: the same ids right after the expected revision.
      const next = records.slice(pinned + 1, pinned + 1 + events.length);
      if (next.length === events.length && next.every((record, i) => record.id === events[i]!.id)) {
        if (next.every((record) => record.readable)) return this.answer(next.at(-1)!);
        // IdempotentNotReady: the write is dropped and the request times out.
        this.idempotentNotReady++;
        await this.until(() => next.every((record) => record.readable));
        throw new DeadlineExceededError(
          undefined,
          'Deadline exceeded (the server dropped an idempotent write)',
        );
      }
    }
    if ((pinned !== undefined && pinned !== current) || (expected === 'stream_exists' && current < 0)) {
      if (this.options.throwOnAppendFailure === false) {
        // As the 6.x client's batch append answers it: the revision is `hasCurrentStreamRevision()`.
        return { success: false, nextExpectedRevision: BigInt(current >= 0) };
      }
      throw new WrongExpectedVersionError(undefined, {
        streamName: streamId,
        expected: expected as bigint,
        current: current < 0 ? 'no_stream' : BigInt(current),
      });
    }
    const hold = this.holds.get(streamId);
    this.holds.delete(streamId);
    const written = events.map((event) => this.push(streamId, event, !hold));
    if (hold) {
      hold.inLog();
      await hold.released;
      for (const record of written) record.readable = true;
    }
    this.notify();
    const lost = this.lostAnswers.get(streamId);
    if (lost) {
      this.lostAnswers.delete(streamId);
      if (lost.failingReads > 0) this.failingReads = { count: lost.failingReads, error: lost.error };
      throw lost.error;
    }
    return this.answer(written.at(-1)!);
  }

  readStream(streamId: string, options: CallOptions = {}): ScriptedReadable {
    this.calls.push({
      method: 'readStream',
      stream: streamId,
      direction: options.direction,
      requiresLeader: !!options.requiresLeader,
    });
    return this.readable(() => {
      if (options.requiresLeader && this.onFormerLeader) throw this.notLeader();
      let records = this.visible(!options.requiresLeader).filter((record) => record.streamId === streamId);
      if (records.length === 0) {
        this.notFound.push(streamId);
        throw new StreamNotFoundError(undefined, streamId);
      }
      const backwards = options.direction === 'backwards';
      if (backwards) records = records.reverse();
      const from = options.fromRevision;
      if (typeof from === 'bigint') {
        records = records.filter((record) => (backwards ? record.revision <= from : record.revision >= from));
      }
      return records.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
    });
  }

  readAll(options: CallOptions = {}): ScriptedReadable {
    this.calls.push({
      method: 'readAll',
      direction: options.direction,
      requiresLeader: !!options.requiresLeader,
    });
    return this.readable(() => {
      if (options.requiresLeader && this.onFormerLeader) throw this.notLeader();
      let records = this.visible(!options.requiresLeader);
      const from = options.fromPosition ?? 'start';
      const backwards = options.direction === 'backwards';
      if (typeof from === 'object') {
        this.assertBoundary(from);
        records = records.filter((record) =>
          backwards ? record.position < from.commit : record.position >= from.commit,
        );
      }
      if (backwards) records = records.reverse();
      return records.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
    }, true);
  }

  subscribeToAll(options: CallOptions = {}): ScriptedReadable {
    this.calls.push({ method: 'subscribeToAll', requiresLeader: !!options.requiresLeader });
    const stream = new Readable({ objectMode: true, read() {} }) as ScriptedReadable;
    const subscription = { stream, next: 0 };
    stream.unsubscribe = async () => {
      this.live.delete(subscription);
      stream.destroy();
    };
    setImmediate(() => {
      try {
        if (options.requiresLeader && this.onFormerLeader) throw this.notLeader();
        const from = options.fromPosition ?? 'start';
        if (typeof from === 'object') {
          this.assertBoundary(from);
          // Exclusive: a subscription starts after its position.
          subscription.next = this.log.findIndex((record) => record.position > from.commit);
          if (subscription.next < 0) subscription.next = this.log.length;
        }
      } catch (error) {
        stream.destroy(error as Error);
        return;
      }
      this.live.add(subscription);
      this.feed(subscription);
    });
    return stream;
  }

  async dispose(): Promise<void> {
    for (const subscription of this.live) subscription.stream.destroy();
    this.live.clear();
  }

  // ---- the model ----

  private push(streamId: string, event: EventDataLike, readable: boolean): LogRecord {
    const revision = this.lengths.get(streamId) ?? 0;
    this.lengths.set(streamId, revision + 1);
    const record: LogRecord = {
      streamId,
      revision,
      id: event.id,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      position: this.nextPosition,
      created: new Date(Date.UTC(2026, 0, 1) + this.log.length * 1000),
      readable,
    };
    this.nextPosition += RECORD_SIZE;
    this.log.push(record);
    return record;
  }

  /** Reads see the log up to its first record that cannot be read yet (nothing overtakes it). */
  private visibleEnd(): number {
    const firstHidden = this.log.findIndex((record) => !record.readable);
    return firstHidden < 0 ? this.log.length : firstHidden;
  }

  /** What a read sees: on the former leader (when it may read there), only its stale copy. */
  private visible(staleAllowed: boolean): LogRecord[] {
    const end = staleAllowed && this.onFormerLeader ? this.formerLeaderHas : this.visibleEnd();
    return this.log.slice(0, end);
  }

  private assertBoundary(position: EsdbPosition): void {
    const atEnd = position.commit >= this.nextPosition;
    const atRecord = this.log.some((record) => record.position === position.commit);
    if (position.commit !== position.prepare || !(atEnd || atRecord || position.commit === 0n)) {
      throw new UnknownError({
        code: 3,
        details: 'Trying to read from an invalid position.',
        message: '3 INVALID_ARGUMENT: Trying to read from an invalid position.',
      } as never);
    }
  }

  private answer(record: LogRecord): { success: true; nextExpectedRevision: bigint; position: EsdbPosition } {
    return {
      success: true,
      nextExpectedRevision: BigInt(record.revision),
      position: { commit: record.position, prepare: record.position },
    };
  }

  private resolved(record: LogRecord, withCommit: boolean): object {
    const event = {
      streamId: record.streamId,
      id: record.id,
      revision: BigInt(record.revision),
      type: record.type,
      data: record.data,
      metadata: record.metadata,
      isJson: true,
      created: record.created,
      position: { commit: record.position, prepare: record.position },
    };
    return withCommit ? { event, commitPosition: record.position } : { event };
  }

  /** A read that produces its records when the adapter starts reading (errors then reach it). */
  private readable(produce: () => LogRecord[], withCommit = false): ScriptedReadable {
    let started = false;
    const stream = new Readable({
      objectMode: true,
      read: () => {
        if (started) return;
        started = true;
        if (this.stalled && withCommit) return;
        setImmediate(() => {
          try {
            if (this.failingReads && this.failingReads.count-- > 0) throw this.failingReads.error;
            for (const record of produce()) stream.push(this.resolved(record, withCommit));
            stream.push(null);
          } catch (error) {
            stream.destroy(error as Error);
          }
        });
      },
    }) as ScriptedReadable;
    stream.cancel = async () => {
      if (!stream.readableEnded) this.cancelledReads++;
      stream.destroy();
    };
    return stream;
  }

  /** The client reconnects to the leader the refusing node named. */
  private notLeader(): NotLeaderError {
    this.onFormerLeader = false;
    return new NotLeaderError({
      code: 5,
      details: 'Leader info available',
      message: '5 NOT_FOUND: Leader info available',
      metadata: { getMap: () => ({ 'leader-endpoint-host': 'esdb2', 'leader-endpoint-port': '2113' }) },
    } as never);
  }

  private feed(subscription: { stream: ScriptedReadable; next: number }): void {
    const end = this.visibleEnd();
    for (; subscription.next < end; subscription.next++) {
      const record = this.log[subscription.next]!;
      if (record.type.startsWith('$') || record.streamId.startsWith('$')) continue;
      subscription.stream.push(this.resolved(record, true));
    }
  }

  private notify(): void {
    for (const subscription of this.live) this.feed(subscription);
    for (const waiter of [...this.waiters]) waiter();
  }

  private until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }
}
