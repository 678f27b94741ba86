import { CachedStreams } from './cached-streams';
import type { EventStore, ReadStreamOptions, RecordedEvent } from './event-store.port';

/** A store in arrays that counts the reads reaching it. */
class ArrayStore {
  readonly streams = new Map<string, RecordedEvent[]>();
  readonly reads: ReadStreamOptions[] = [];
  private position = 0;

  add(streamId: string, count: number): void {
    const events = this.streams.get(streamId) ?? [];
    for (let i = 0; i < count; i++) {
      const revision = events.length;
      events.push({
        id: `${streamId}-${revision}`,
        type: 'Happened',
        version: 1,
        data: { revision },
        metadata: {},
        streamId,
        revision,
        position: ++this.position,
        recordedAt: new Date(0),
        hash: String(revision),
      });
    }
    this.streams.set(streamId, events);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.reads.push(options);
    const all = this.streams.get(streamId) ?? [];
    const forwards = (options.direction ?? 'forwards') === 'forwards';
    const from = options.fromRevision ?? (forwards ? 0 : Infinity);
    const to = options.toRevision ?? (forwards ? Infinity : 0);
    const picked = forwards
      ? all.filter((e) => e.revision >= from && e.revision <= to)
      : all.filter((e) => e.revision <= from && e.revision >= to).reverse();
    return picked.slice(0, options.maxCount ?? Infinity).map((e) => ({ ...e }));
  }
}

const cachedOver = (inner: ArrayStore, maxEvents = 1000, minEvents = 10) =>
  new CachedStreams(inner as unknown as EventStore, { maxEvents, minEvents });

const revisions = (events: RecordedEvent[]) => events.map((e) => e.revision);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('CachedStreams', () => {
  it('reads a long stream once, then only the events appended since, and answers every bound as the store would', async () => {
    const inner = new ArrayStore();
    inner.add('long', 20);
    const cached = cachedOver(inner);
    const first = await cached.readStream('long');
    expect(revisions(first)).toEqual(range(0, 19));
    const again = await cached.readStream('long');
    expect(again[5]).toBe(first[5]); // the same objects, from memory
    expect(inner.reads.at(-1)).toEqual({ fromRevision: 20, toRevision: Number.MAX_SAFE_INTEGER });
    inner.add('long', 3);
    expect(revisions(await cached.readStream('long'))).toEqual(range(0, 22));
    const before = inner.reads.length;
    // Inside what is held: no read at all.
    expect(revisions(await cached.readStream('long', { toRevision: 7 }))).toEqual(range(0, 7));
    expect(
      revisions(await cached.readStream('long', { fromRevision: 5, toRevision: 9, maxCount: 2 })),
    ).toEqual([5, 6]);
    expect(inner.reads.length).toBe(before);
    expect(revisions(await cached.readStream('long', { fromRevision: 21 }))).toEqual([21, 22]);
    expect(await cached.readStream('long', { fromRevision: 30 })).toEqual([]);
    expect(revisions(await cached.readStream('long', { direction: 'backwards', maxCount: 2 }))).toEqual([
      22, 21,
    ]);
    expect(cached.size).toBe(23);
  });

  it('keeps neither short streams nor missing ones, and lets the least recently read go beyond its size', async () => {
    const inner = new ArrayStore();
    inner.add('short', 3);
    inner.add('a', 10);
    inner.add('b', 10);
    const cached = cachedOver(inner, 20);
    await cached.readStream('short');
    await cached.readStream('short');
    expect(inner.reads.filter((r) => r.fromRevision === undefined)).toHaveLength(2);
    expect(await cached.readStream('missing')).toEqual([]);
    await cached.readStream('a');
    await cached.readStream('b');
    expect(cached.size).toBe(20);
    await cached.readStream('a'); // a is now the most recent
    inner.add('c', 10);
    await cached.readStream('c'); // b goes
    expect(cached.size).toBe(20);
    const reads = inner.reads.length;
    await cached.readStream('b');
    expect(inner.reads[reads]).toEqual({ toRevision: undefined });
  });

  it('keeps a short stream read up to a revision it reaches: that answer never changes', async () => {
    const inner = new ArrayStore();
    inner.add('registration', 1);
    const cached = cachedOver(inner);
    const first = await cached.readStream('registration', { toRevision: 0 });
    expect(await cached.readStream('registration', { toRevision: 0 })).toEqual(first);
    expect(inner.reads).toHaveLength(1);
    // Read past it: the store is asked for what follows, as for any kept stream.
    inner.add('registration', 1);
    expect(revisions(await cached.readStream('registration'))).toEqual([0, 1]);
    expect(inner.reads.at(-1)).toEqual({ fromRevision: 1, toRevision: Number.MAX_SAFE_INTEGER });
    // A bound the stream does not reach yet is not kept: a later event may fall under it.
    inner.add('young', 1);
    await cached.readStream('young', { toRevision: 3 });
    await cached.readStream('young', { toRevision: 3 });
    expect(inner.reads.filter((read) => read.toRevision === 3)).toHaveLength(2);
    expect(await cached.readStream('missing', { toRevision: 0 })).toEqual([]);
    expect(await cached.readStream('missing', { toRevision: 0 })).toEqual([]);
    expect(cached.size).toBe(2);
  });

  it('never changes an answer already given, and keeps one whole stream when reads race', async () => {
    const inner = new ArrayStore();
    inner.add('long', 12);
    const cached = cachedOver(inner);
    const held = await cached.readStream('long', { toRevision: 11 });
    inner.add('long', 2);
    const [x, y] = await Promise.all([cached.readStream('long'), cached.readStream('long')]);
    expect(revisions(held)).toEqual(range(0, 11));
    expect(revisions(x)).toEqual(range(0, 13));
    expect(revisions(y)).toEqual(range(0, 13));
    expect(cached.size).toBe(14);
  });

  it('reads everything from the store when it holds nothing (size 0)', async () => {
    const inner = new ArrayStore();
    inner.add('long', 20);
    const cached = cachedOver(inner, 0);
    await cached.readStream('long');
    await cached.readStream('long');
    expect(inner.reads).toEqual([{}, {}]);
    expect(cached.size).toBe(0);
  });
});
