import { FORGOTTEN_WITHIN_MS } from './forget-bound';
import { LruCache } from './lru-cache';
import type { ForgetResult, PersonKey, PersonKeyStore } from './person-key-store.port';

export interface KeyCacheOptions {
  /** Keys held at most; default 10 000. */
  maxEntries?: number;
  /** How long a key (or its absence) is trusted without asking the store again; default FORGOTTEN_WITHIN_MS (30 s). */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Keeps unwrapped keys in memory for a short while, so reading a batch of events costs one query for
 * the keys it has not seen lately, not one per field. A forget in this process empties the cache at
 * once; another process's cache holds a forgotten key for at most `ttlMs`.
 */
export class CachedPersonKeyStore implements PersonKeyStore {
  /** By key id: the key, or null for a key that does not exist (a deleted key never comes back). */
  private readonly byKeyId: LruCache<string, Buffer | null>;
  /** By subject: its key, or null for a forgotten subject (forgetting is for good). */
  private readonly bySubject: LruCache<string, PersonKey | null>;
  /** Moves on at every forget: an answer fetched before it is used but not cached. */
  private generation = 0;

  constructor(
    private readonly inner: PersonKeyStore,
    options: KeyCacheOptions = {},
  ) {
    const maxEntries = options.maxEntries ?? 10_000;
    const ttlMs = options.ttlMs ?? FORGOTTEN_WITHIN_MS;
    this.byKeyId = new LruCache(maxEntries, ttlMs, options.now);
    this.bySubject = new LruCache(maxEntries, ttlMs, options.now);
  }

  async getOrCreateKey(subject: string): Promise<PersonKey | null> {
    const cached = this.bySubject.get(subject);
    if (cached !== undefined) return cached;
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
    for (const keyId of new Set(keyIds)) {
      const cached = this.byKeyId.get(keyId);
      if (cached === undefined) missing.push(keyId);
      else if (cached !== null) keys.set(keyId, cached);
    }
    if (missing.length > 0) {
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

  private evict(subject: string): void {
    this.generation += 1;
    this.bySubject.delete(subject);
    // Which key ids were the subject's is no longer known once they are deleted; forgets are rare.
    this.byKeyId.clear();
  }
}
