import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AggregateStreams } from '@passerelle/application';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { streamIdFor } from '@passerelle/domain';
import { PERSON_KEY_STORE, PersonKeyStore } from '@passerelle/privacy';
import { historyEntry, historyJson } from './history-json';

/** A `/history` answer as sent: its bytes and their `ETag`. */
export interface HistoryDocument {
  revision: number;
  body: Buffer;
  /** The weak `ETag` Express would compute from these bytes (`W/"<length>-<sha1>"`), computed once. */
  etag: string;
}

/** A document kept, with what it was written under. */
interface Kept extends HistoryDocument {
  /** The store's erasure generation read before the events were opened. */
  generation: number;
  /** Bytes of `{"id":…,"revision":…,"events":[` at the start of `body`. */
  head: number;
}

/** Express's weak entity tag (the `etag` package), so an answer's `ETag` is what it always was. */
function weakEtag(body: Buffer): string {
  const hash = createHash('sha1').update(body).digest('base64').substring(0, 27);
  return `W/"${body.length.toString(16)}-${hash}"`;
}

const headOf = (id: string, revision: number) =>
  `{"id":${JSON.stringify(id)},"revision":${revision},"events":[`;
const TAIL = Buffer.from(']}');

/**
 * Encoded `/history` answers, one per partnership, least recently read first out, at most `maxBytes`
 * in all. An entry is served only to a request that read the same erasure generation before reading
 * the stream, so no forget that was answered before the request arrived can be missed; a stream only
 * grows, so an entry is extended by the events appended since instead of being written again
 * (decision 0018). Every role that may read `/history` sees every field of it, and reads are not
 * scoped by organisation (decision 0010): there is one view per partnership.
 */
export class HistoryDocumentCache {
  private readonly entries = new Map<string, Kept>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes held now. */
  get size(): number {
    return this.bytes;
  }

  /** The revision of the document held for `id`, whatever generation it was written under. */
  revisionOf(id: string): number | undefined {
    return this.entries.get(id)?.revision;
  }

  /** The document of `id` written under `generation`, if one is held (and marks it most recently read). */
  get(id: string, generation: number): Kept | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.generation !== generation) return undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  /** Keeps a document unless one written under a later generation, or for a later revision, is held. */
  set(id: string, entry: Kept): void {
    const current = this.entries.get(id);
    if (
      current &&
      (current.generation > entry.generation ||
        (current.generation === entry.generation && current.revision >= entry.revision))
    ) {
      return;
    }
    if (current) this.drop(id, current);
    if (entry.body.length > this.maxBytes) return;
    this.entries.set(id, entry);
    this.bytes += entry.body.length;
    while (this.bytes > this.maxBytes) {
      const [oldest, dropped] = this.entries.entries().next().value as [string, Kept];
      this.drop(oldest, dropped);
    }
  }

  private drop(id: string, entry: Kept): void {
    this.entries.delete(id);
    this.bytes -= entry.body.length;
  }

  /** A document of the events given, all of them (revision 0 on). */
  static write(id: string, generation: number, events: Parameters<typeof historyJson>[2]): Kept {
    const revision = events[events.length - 1]!.revision;
    const body = Buffer.from(historyJson(id, revision, events), 'utf8');
    return {
      revision,
      body,
      etag: weakEtag(body),
      generation,
      head: Buffer.byteLength(headOf(id, revision)),
    };
  }

  /** `kept` followed by `tail`, the events after its revision, under the same generation. */
  static extend(id: string, kept: Kept, tail: Parameters<typeof historyJson>[2]): Kept {
    const revision = tail[tail.length - 1]!.revision;
    const head = Buffer.from(headOf(id, revision), 'utf8');
    const added = Buffer.from(`,${tail.map(historyEntry).join(',')}`, 'utf8');
    const body = Buffer.concat([
      head,
      kept.body.subarray(kept.head, kept.body.length - TAIL.length),
      added,
      TAIL,
    ]);
    return { revision, body, etag: weakEtag(body), generation: kept.generation, head: head.length };
  }
}

/**
 * `/history` answers, encoded once per revision of a partnership and erasure generation of the key
 * store. A read costs the generation (one query by primary key) and the events appended since the
 * document held (one indexed query, usually empty); bytes are sent as they are.
 */
@Injectable()
export class HistoryDocuments {
  private readonly cache: HistoryDocumentCache | undefined;

  constructor(
    @Inject(AggregateStreams) private readonly streams: AggregateStreams,
    @Inject(PERSON_KEY_STORE) private readonly keys: PersonKeyStore,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cache =
      config.historyCacheBytes > 0 ? new HistoryDocumentCache(config.historyCacheBytes) : undefined;
  }

  /** Bytes of documents held. */
  get size(): number {
    return this.cache?.size ?? 0;
  }

  /** The partnership's history as JSON bytes, or null when it has no event. */
  async read(id: string): Promise<HistoryDocument | null> {
    const streamId = streamIdFor.partnership(id);
    const cache = this.cache;
    if (cache === undefined) {
      const events = await this.streams.read(streamId);
      return events.length === 0 ? null : HistoryDocumentCache.write(id, -1, events);
    }
    const held = cache.revisionOf(id);
    let generation: number;
    if (held !== undefined) {
      // Both at once: when nothing follows, no key was used, and the generation alone decides.
      const [seen, after] = await Promise.all([
        this.keys.erasureGeneration(),
        this.streams.read(streamId, held + 1),
      ]);
      generation = seen;
      const kept = cache.get(id, generation);
      if (kept && after.length === 0 && kept.revision === held) return kept;
    } else {
      // Read before the events are opened, so every key they are opened with was fetched under it or
      // later: a forget moves it on, and what was written before that is never served again.
      generation = await this.keys.erasureGeneration();
    }
    const kept = cache.get(id, generation);
    if (kept) {
      // Read again, after the generation: the events read beside it may have been opened before it.
      const tail = await this.streams.read(streamId, kept.revision + 1);
      if (tail.length === 0) return kept;
      if (tail[0]!.revision === kept.revision + 1) {
        const extended = HistoryDocumentCache.extend(id, kept, tail);
        cache.set(id, extended);
        return extended;
      }
    }
    const events = await this.streams.read(streamId);
    if (events.length === 0) return null;
    const written = HistoryDocumentCache.write(id, generation, events);
    cache.set(id, written);
    return written;
  }
}
