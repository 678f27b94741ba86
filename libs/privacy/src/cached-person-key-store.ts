import { FORGOTTEN_WITHIN_MS } from './forget-bound';
import { LruCache } from './lru-cache';
import type { ForgetResult, PersonKey, PersonKeyStore } from './person-key-store.port';

export interface KeyCacheOptions {
  /** Keys held at most; default 10 000. */
  maxEntries?: number;
  /** How long a key (or its absence) is trusted without asking the store again; default FORGOTTEN_WITHIN_MS (30 s). */
  ttlMs?: number;
  now?: () => number;
  /**
   * Whether another process can forget someone in the same key store (PostgreSQL, shared by replicas):
   * then a key is served from memory only after one read of the store's erasure generation shows no
   * erasure since it was fetched. Default true; the embedded store (PGlite, one process) needs none.
   */
  erasuresElsewhere?: boolean;
}

/**
 * Keeps unwrapped keys in memory for a short while, so reading a batch of events costs one query for
 * the keys it has not seen lately, not one per field. A forget in this process empties the cache at
 * once; so does one in another process, seen by the erasure generation read before any key is served
 * from memory (decision 0018). Without that check (`erasuresElsewhere: false`) another process's forget
 * would be seen after at most `ttlMs`.
 */
export class CachedPersonKeyStore implements PersonKeyStore {
  /** By key id: the key, or null for a key that does not exist (a deleted key never comes back). */
  private readonly byKeyId: LruCache<string, Buffer | null>;
  /** By subject: its key, or null for a forgotten subject (forgetting is for good). */
  private readonly bySubject: LruCache<string, PersonKey | null>;
  /** Moves on at every forget: an answer fetched before it is used but not cached. */
  private generation = 0;
  /** The store's erasure generation the cached keys were fetched under (the highest read so far). */
  private erasures = -1;
  /** The read of the erasure generation under way, if any. */
  private runningCheck: Promise<void> | undefined;
  /** The read to send once it ends, shared by every caller who came while it ran. */
  private nextCheck: Promise<void> | undefined;
  private readonly erasuresElsewhere: boolean;

  constructor(
    private readonly inner: PersonKeyStore,
    options: KeyCacheOptions = {},
  ) {
    this.erasuresElsewhere = options.erasuresElsewhere ?? true;
    const maxEntries = options.maxEntries ?? 10_000;
    const ttlMs = options.ttlMs ?? FORGOTTEN_WITHIN_MS;
    this.byKeyId = new LruCache(maxEntries, ttlMs, options.now);
    this.bySubject = new LruCache(maxEntries, ttlMs, options.now);
  }

  async getOrCreateKey(subject: string): Promise<PersonKey | null> {
    // Looked at first without touching its place (the get below does, once the check has passed).
    if (this.bySubject.peek(subject) !== undefined) await this.checkErasures();
    const cached = this.bySubject.get(subject);
    if (cached !== undefined) return cached;
    if (this.unknownErasures()) await this.checkErasures();
    const generation = this.generation;
    const found = await this.inner.getOrCreateKey(subject);
    if (generation === this.generation) {
      this.bySubject.set(subject, found);
      if (found) this.byKeyId.set(found.keyId, found.key);
    }
    return found;
  }

  async getKey(keyId: string): Promise<Buffer | null> {
    return (await this.getKeys([keyId])).get(keyId) ?? null;
  }

  async getKeys(keyIds: readonly string[]): Promise<Map<string, Buffer>> {
    const keys = new Map<string, Buffer>();
    const missing: string[] = [];
    const wanted = new Set(keyIds);
    for (const keyId of wanted) {
      if (this.byKeyId.peek(keyId) === undefined) continue;
      // At least one would come from memory: first make sure no key was deleted since it was fetched.
      await this.checkErasures();
      break;
    }
    for (const keyId of wanted) {
      const cached = this.byKeyId.get(keyId);
      if (cached === undefined) missing.push(keyId);
      else if (cached !== null) keys.set(keyId, cached);
    }
    if (missing.length > 0) {
      if (this.unknownErasures()) await this.checkErasures();
      const generation = this.generation;
      const found = await this.inner.getKeys(missing);
      for (const keyId of missing) {
        const key = found.get(keyId) ?? null;
        if (generation === this.generation) this.byKeyId.set(keyId, key);
        if (key) keys.set(keyId, key);
      }
    }
    return keys;
  }

  async forget(subject: string): Promise<ForgetResult> {
    this.evict(subject);
    try {
      return await this.inner.forget(subject);
    } finally {
      this.evict(subject);
    }
  }

  isForgotten(subject: string): Promise<boolean> {
    return this.inner.isForgotten(subject);
  }

  erasureGeneration(): Promise<number> {
    return this.inner.erasureGeneration();
  }

  /** Before the first fetch, the generation is read: what is fetched from then on is compared with it. */
  private unknownErasures(): boolean {
    return this.erasuresElsewhere && this.erasures < 0;
  }

  /**
   * Empties the cache when the store's erasure generation moved on since the cached keys were fetched:
   * a forget in another process. The read starts after the caller's request did, so a forget answered
   * before it is always seen. Callers share reads: one that comes while a read is under way waits for
   * the next one, which all who came meanwhile share and which is sent after each of them asked, so
   * under load the store is asked about once per round trip, not once per caller.
   */
  private checkErasures(): Promise<void> {
    if (!this.erasuresElsewhere) return Promise.resolve();
    if (this.nextCheck) return this.nextCheck;
    const running = this.runningCheck;
    if (!running) return this.startCheck();
    const next = running.then(
      () => this.startCheck(),
      () => this.startCheck(),
    );
    this.nextCheck = next;
    return next;
  }

  /** Sends one read of the generation; callers who come from now on wait for the next. */
  private startCheck(): Promise<void> {
    this.nextCheck = undefined;
    const check = this.readErasures().finally(() => {
      if (this.runningCheck === check) this.runningCheck = undefined;
    });
    this.runningCheck = check;
    return check;
  }

  /** Moving `generation` keeps answers fetched before the check out of the cache. */
  private async readErasures(): Promise<void> {
    const seen = await this.inner.erasureGeneration();
    if (seen <= this.erasures) return;
    this.erasures = seen;
    this.generation += 1;
    this.bySubject.clear();
    this.byKeyId.clear();
  }

  private evict(subject: string): void {
    this.generation += 1;
    this.bySubject.delete(subject);
    // Which key ids were the subject's is no longer known once they are deleted; forgets are rare.
    this.byKeyId.clear();
  }
}
