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
} from './event-store.port';

export interface CachedStreamsOptions {
  /** Events kept in memory over every stream together (least recently read streams go first); 0: none. */
  maxEvents: number;
  /**
   * Streams shorter than this are read from the store every time (cheap, and many), unless read up to a
   * revision they reach: default 200.
   */
  minEvents?: number;
}

/**
 * Long streams kept in memory exactly as the store returned them, so reading a stream of thousands of
 * events again costs one indexed query for the events appended since (decision 0018). Every forwards
 * read still asks the store for the events after the cached revision, so it never answers less than a
 * read without the cache would; events are immutable and a stream only grows, so what is cached never
 * goes stale. Sits under the personal-data layer: it holds personal fields sealed, as stored, never
 * opened. Events returned are shared between readers and must not be modified.
 */
export class CachedStreams implements EventStore {
  private readonly streams = new Map<string, RecordedEvent[]>();
  private held = 0;
  private readonly minEvents: number;

  constructor(
    private readonly inner: EventStore,
    private readonly options: CachedStreamsOptions,
  ) {
    this.minEvents = options.minEvents ?? 200;
  }

  /** Events held now, over every stream. */
  get size(): number {
    return this.held;
  }

  appendToStream(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.inner.appendToStream(streamId, events, expected);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    if (!forwards || this.options.maxEvents <= 0) return this.inner.readStream(streamId, options);
    const from = options.fromRevision ?? 0;
    const to = options.toRevision ?? Number.MAX_SAFE_INTEGER;
    let events = this.streams.get(streamId);
    if (!events) {
      if (from !== 0) return this.inner.readStream(streamId, options);
      const read = await this.inner.readStream(streamId, { toRevision: options.toRevision });
      // A bounded read is kept only when it is the whole stream so far: the next read extends it. A
      // short stream is kept when read up to a revision it reaches: what a read up to there answers never
      // changes (an organisation's registration, read up to revision 0).
      const upToItsBound = options.toRevision !== undefined && read.length === options.toRevision + 1;
      if (read.length >= this.minEvents || (upToItsBound && read.length > 0)) {
        events = this.keep(streamId, read, []);
      }
      if (!events) return options.maxCount === undefined ? read : read.slice(0, options.maxCount);
    } else {
      this.touch(streamId, events);
      const cachedTo = events.length - 1;
      if (to > cachedTo) {
        const tail = await this.inner.readStream(streamId, { fromRevision: cachedTo + 1, toRevision: to });
        events = this.keep(streamId, this.streams.get(streamId) ?? events, tail);
      }
    }
    const end = Math.min(to, events.length - 1) + 1;
    const start = Math.min(from, end);
    const last = options.maxCount === undefined ? end : Math.min(end, start + options.maxCount);
    return events.slice(start, last);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  subscribeToAll(options: SubscribeOptions, handler: BatchHandler): Subscription {
    return this.inner.subscribeToAll(options, handler);
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  lastCommittedPosition(): Promise<number> {
    return this.inner.lastCommittedPosition?.() ?? this.inner.headPosition();
  }

  close(): Promise<void> {
    this.streams.clear();
    this.held = 0;
    return this.inner.close();
  }

  /**
   * The stream's events with `tail` after them, kept as the stream's entry (the most recently read).
   * Only events that continue the entry revision by revision are added: a concurrent read may have
   * added them already.
   */
  private keep(streamId: string, events: RecordedEvent[], tail: readonly RecordedEvent[]): RecordedEvent[] {
    const current = this.streams.get(streamId);
    // Arrays already handed out are never changed: a reader's answer stays what it read.
    let kept = current && current.length >= events.length ? current : events;
    const fresh = tail.filter((event) => event.revision >= kept.length);
    if (fresh.length > 0 && fresh[0]!.revision === kept.length) kept = kept.concat(fresh);
    // Revisions in order from 0 without a gap (the store answers them in order): the stream's start.
    if (kept.length === 0 || kept[0]!.revision !== 0 || kept[kept.length - 1]!.revision !== kept.length - 1) {
      return kept;
    }
    if (current) this.held -= current.length;
    this.streams.delete(streamId);
    this.streams.set(streamId, kept);
    this.held += kept.length;
    while (this.held > this.options.maxEvents && this.streams.size > 0) {
      const [oldest, dropped] = this.streams.entries().next().value as [string, RecordedEvent[]];
      this.streams.delete(oldest);
      this.held -= dropped.length;
    }
    return kept;
  }

  /** Marks the stream most recently read. */
  private touch(streamId: string, events: RecordedEvent[]): void {
    this.streams.delete(streamId);
    this.streams.set(streamId, events);
  }
}
