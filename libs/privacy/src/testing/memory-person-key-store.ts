import { randomBytes, randomUUID } from 'node:crypto';
import { KEY_BYTES } from '../master-key';
import type { ForgetResult, PersonKey, PersonKeyStore } from '../person-key-store.port';

/** The key store in a Map, for tests; `calls` counts what reached it, to see what a cache saved. */
export class MemoryPersonKeyStore implements PersonKeyStore {
  private readonly keys = new Map<string, PersonKey & { subject: string }>();
  private readonly forgotten = new Map<string, Date>();
  readonly calls = { getOrCreateKey: 0, getKeys: 0, forget: 0, erasureGeneration: 0 };
  private generation = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async getOrCreateKey(subject: string): Promise<PersonKey | null> {
    this.calls.getOrCreateKey += 1;
    if (this.forgotten.has(subject)) return null;
    const existing = [...this.keys.values()].find((k) => k.subject === subject);
    if (existing) return { keyId: existing.keyId, key: existing.key };
    const created = { keyId: randomUUID(), key: randomBytes(KEY_BYTES), subject };
    this.keys.set(created.keyId, created);
    return { keyId: created.keyId, key: created.key };
  }

  async getKey(keyId: string): Promise<Buffer | null> {
    return (await this.getKeys([keyId])).get(keyId) ?? null;
  }

  async getKeys(keyIds: readonly string[]): Promise<Map<string, Buffer>> {
    this.calls.getKeys += 1;
    const found = new Map<string, Buffer>();
    for (const keyId of keyIds) {
      const key = this.keys.get(keyId);
      if (key) found.set(keyId, key.key);
    }
    return found;
  }

  async forget(subject: string): Promise<ForgetResult> {
    this.calls.forget += 1;
    for (const [keyId, key] of this.keys) if (key.subject === subject) this.keys.delete(keyId);
    this.generation += 1;
    const first = this.forgotten.get(subject);
    if (first) return { forgottenAt: first, firstTime: false };
    const forgottenAt = this.now();
    this.forgotten.set(subject, forgottenAt);
    return { forgottenAt, firstTime: true };
  }

  async erasureGeneration(): Promise<number> {
    this.calls.erasureGeneration += 1;
    return this.generation;
  }

  async isForgotten(subject: string): Promise<boolean> {
    return this.forgotten.has(subject);
  }
}
