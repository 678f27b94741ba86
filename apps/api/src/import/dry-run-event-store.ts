import {
  AppendResult,
  DuplicateEventIdError,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  Subscription,
  WrongExpectedRevisionError,
} from '@passerelle/event-store';

/**
 * The store as it would be after the lines decided so far, without writing anything: reads see the real
 * store and the events a dry run has "appended", which stay in memory. Lets a dry run decide each line on
 * the state the lines before it would have left, through the same command handlers.
 */
export class DryRunEventStore implements EventStore {
  private readonly pending = new Map<string, RecordedEvent[]>();
  private readonly ids = new Set<string>();
  private head: number | undefined;

  constructor(private readonly real: EventStore) {}

  /** How many events the dry run would have appended. */
  get appendedCount(): number {
    return this.ids.size;
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const current = await this.readStream(streamId);
    const revision = current.length ? current[current.length - 1]!.revision : -1;
    const known = new Set(current.map((event) => event.id));
    if (events.length > 0 && events.every((event) => known.has(event.id))) {
      return { revision, position: current[current.length - 1]!.position, appended: false };
    }
    const ok =
      expected === 'any' ||
      (expected === 'no_stream' && revision === -1) ||
      (expected === 'stream_exists' && revision >= 0) ||
      expected === revision;
    if (!ok) throw new WrongExpectedRevisionError(streamId, expected, revision === -1 ? null : revision);
    if (events.some((event) => this.ids.has(event.id))) throw new DuplicateEventIdError(events[0]!.id);
    this.head ??= await this.real.headPosition();
    const list = this.pending.get(streamId) ?? [];
    events.forEach((event, index) => {
      this.head! += 1;
      this.ids.add(event.id);
      list.push({
        ...event,
        streamId,
        revision: revision + 1 + index,
        position: this.head!,
        recordedAt: new Date(),
        hash: '',
      });
    });
    this.pending.set(streamId, list);
    return { revision: revision + events.length, position: this.head, appended: true };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const real = await this.real.readStream(streamId);
    let events = [...real, ...(this.pending.get(streamId) ?? [])];
    if (options.fromRevision !== undefined || options.toRevision !== undefined) {
      const backwards = options.direction === 'backwards';
      const from = options.fromRevision;
      const to = options.toRevision;
      events = events.filter((event) =>
        backwards
          ? (from === undefined || event.revision <= from) && (to === undefined || event.revision >= to)
          : (from === undefined || event.revision >= from) && (to === undefined || event.revision <= to),
      );
    }
    if (options.direction === 'backwards') events.reverse();
    return options.maxCount === undefined ? events : events.slice(0, options.maxCount);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.real.readAll(options);
  }

  subscribeToAll(): Subscription {
    throw new Error('A dry run does not subscribe to the log');
  }

  async headPosition(): Promise<number> {
    return this.head ?? this.real.headPosition();
  }

  async close(): Promise<void> {}
}
