import { CachedPersonKeyStore } from './cached-person-key-store';
import { LruCache } from './lru-cache';
import { personKeyStoreContract } from './testing/person-key-store.contract';
import { MemoryPersonKeyStore } from './testing/memory-person-key-store';

personKeyStoreContract('in memory', async () => new MemoryPersonKeyStore());
personKeyStoreContract('in memory, cached', async () => new CachedPersonKeyStore(new MemoryPersonKeyStore()));

describe('the LRU cache', () => {
  it('drops the least recently used entry beyond its size, and entries past their time', () => {
    let now = 0;
    const cache = new LruCache<string, number>(2, 100, () => now);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.size).toBe(2);
    now = 100;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.has('c')).toBe(false);
  });

  it('peeks at an entry without making it the most recently used', () => {
    let now = 0;
    const cache = new LruCache<string, number>(2, 100, () => now);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.peek('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.peek('b')).toBe(2);
    now = 100;
    expect(cache.peek('b')).toBeUndefined();
  });
});

describe('the key cache', () => {
  it('asks the store once per key while fresh, again after the TTL', async () => {
    let now = 0;
    const inner = new MemoryPersonKeyStore();
    const cached = new CachedPersonKeyStore(inner, { ttlMs: 1000, now: () => now });
    const key = (await cached.getOrCreateKey('alice'))!;
    expect(await cached.getOrCreateKey('alice')).toEqual(key);
    expect(inner.calls.getOrCreateKey).toBe(1);
    // Creating a key also caches it by id: reading back what was just written costs nothing.
    expect(await cached.getKey(key.keyId)).toEqual(key.key);
    expect(inner.calls.getKeys).toBe(0);
    now = 1000;
    expect(await cached.getKeys([key.keyId, key.keyId])).toEqual(new Map([[key.keyId, key.key]]));
    expect(inner.calls.getKeys).toBe(1);
    expect(await cached.getKey(key.keyId)).toEqual(key.key);
    expect(inner.calls.getKeys).toBe(1);
  });

  it('remembers that a key is missing, and asks only for the keys it lacks', async () => {
    const inner = new MemoryPersonKeyStore();
    const cached = new CachedPersonKeyStore(inner);
    const a = (await inner.getOrCreateKey('a'))!;
    const b = (await inner.getOrCreateKey('b'))!;
    const spy = jest.spyOn(inner, 'getKeys');
    await cached.getKeys([a.keyId, '00000000-0000-4000-8000-000000000000']);
    await cached.getKeys([a.keyId, b.keyId, '00000000-0000-4000-8000-000000000000']);
    expect(spy.mock.calls.map(([ids]) => [...ids])).toEqual([
      [a.keyId, '00000000-0000-4000-8000-000000000000'],
      [b.keyId],
    ]);
  });

  it('forgets at once in this process: no key is served from memory after a forget', async () => {
    const inner = new MemoryPersonKeyStore();
    const cached = new CachedPersonKeyStore(inner, { ttlMs: 60_000 });
    const key = (await cached.getOrCreateKey('carol'))!;
    expect(await cached.getKey(key.keyId)).not.toBeNull();
    await cached.forget('carol');
    expect(await cached.getKey(key.keyId)).toBeNull();
    expect(await cached.getOrCreateKey('carol')).toBeNull();
  });

  it('does not cache a key fetched while a forget was under way', async () => {
    const inner = new MemoryPersonKeyStore();
    const key = (await inner.getOrCreateKey('dan'))!;
    const cached = new CachedPersonKeyStore(inner, { ttlMs: 60_000 });
    // The generation read before a first fetch, done: the slow read below reaches the store at once.
    await cached.getKey('00000000-0000-4000-8000-000000000000');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const getKeys = inner.getKeys.bind(inner);
    jest.spyOn(inner, 'getKeys').mockImplementationOnce(async (ids) => {
      const found = await getKeys(ids);
      await gate;
      return found;
    });
    const slowRead = cached.getKey(key.keyId);
    await cached.forget('dan');
    release();
    expect(await slowRead).toEqual(key.key);
    expect(await cached.getKey(key.keyId)).toBeNull();
  });
});

describe('the key cache, with another process forgetting (decision 0018)', () => {
  it('lets go of every key at once when the store shows an erasure since they were fetched', async () => {
    const shared = new MemoryPersonKeyStore();
    const here = new CachedPersonKeyStore(shared);
    const elsewhere = new CachedPersonKeyStore(shared);
    const alice = (await here.getOrCreateKey('alice'))!;
    const bob = (await here.getOrCreateKey('bob'))!;
    expect(await here.getKeys([alice.keyId, bob.keyId])).toEqual(
      new Map([
        [alice.keyId, alice.key],
        [bob.keyId, bob.key],
      ]),
    );
    const fetched = shared.calls.getKeys;
    expect(await here.getKey(alice.keyId)).toEqual(alice.key);
    expect(shared.calls.getKeys).toBe(fetched); // served from memory, after one look at the generation

    await elsewhere.forget('alice');

    expect(await here.getKey(alice.keyId)).toBeNull();
    expect(await here.getOrCreateKey('alice')).toBeNull();
    expect(await here.getKey(bob.keyId)).toEqual(bob.key);
  });

  it('looks at the generation only to serve from memory (and once at first), never when told no other process forgets', async () => {
    const shared = new MemoryPersonKeyStore();
    const alone = new CachedPersonKeyStore(shared, { erasuresElsewhere: false });
    const key = (await alone.getOrCreateKey('alice'))!;
    await alone.getKey(key.keyId);
    expect(shared.calls.erasureGeneration).toBe(0);
    const replica = new CachedPersonKeyStore(shared);
    await replica.getKey(key.keyId);
    expect(shared.calls.erasureGeneration).toBe(1); // once, before its first fetch
    await replica.getKey('00000000-0000-4000-8000-000000000000');
    expect(shared.calls.erasureGeneration).toBe(1);
    await replica.getKey(key.keyId);
    expect(shared.calls.erasureGeneration).toBe(2);
  });
  it('shares reads of the generation between callers, each read sent after every caller it serves asked', async () => {
    /** Answers what the generation was when asked, once let go. */
    class HeldStore extends MemoryPersonKeyStore {
      readonly held: (() => void)[] = [];
      override async erasureGeneration(): Promise<number> {
        const seen = await super.erasureGeneration();
        await new Promise<void>((resolve) => this.held.push(resolve));
        return seen;
      }
    }
    const shared = new HeldStore();
    const here = new CachedPersonKeyStore(shared);
    const elsewhere = new CachedPersonKeyStore(shared);
    const first = here.getOrCreateKey('alice');
    await waitForHeld(shared, 1);
    shared.held.shift()!();
    const alice = (await first)!;
    const bob = (await here.getOrCreateKey('bob'))!;
    const asked = shared.calls.erasureGeneration;

    const before = here.getKey(alice.keyId); // its read is sent now, before the forget
    await waitForHeld(shared, 1);
    await elsewhere.forget('alice');
    const afterAlice = here.getKey(alice.keyId); // come while that read is under way: share the next
    const afterBob = here.getKey(bob.keyId);
    shared.held.shift()!();
    expect(await before).toEqual(alice.key);
    await waitForHeld(shared, 1);
    shared.held.shift()!();
    expect(await afterAlice).toBeNull();
    expect(await afterBob).toEqual(bob.key);
    expect(shared.calls.erasureGeneration - asked).toBe(2);
  });
});

async function waitForHeld(store: { held: unknown[] }, count: number): Promise<void> {
  while (store.held.length < count) await new Promise((resolve) => setImmediate(resolve));
}
