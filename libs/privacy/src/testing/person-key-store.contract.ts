import { randomBytes, randomUUID } from 'node:crypto';
import type { PersonKeyStore } from '../person-key-store.port';

const subject = () => randomBytes(32).toString('hex');

/** What every PersonKeyStore adapter must do. `open` gives a store on an empty key table. */
export function personKeyStoreContract(name: string, open: () => Promise<PersonKeyStore>): void {
  describe(`PersonKeyStore contract: ${name}`, () => {
    let store: PersonKeyStore;
    beforeAll(async () => {
      store = await open();
    });

    it('creates one 32-byte key per subject and gives the same one back', async () => {
      const alice = subject();
      const first = await store.getOrCreateKey(alice);
      expect(first).not.toBeNull();
      expect(first!.key).toHaveLength(32);
      expect(first!.keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const again = await store.getOrCreateKey(alice);
      expect(again).toEqual(first);
      expect(await store.getKey(first!.keyId)).toEqual(first!.key);
      const other = await store.getOrCreateKey(subject());
      expect(other!.keyId).not.toBe(first!.keyId);
      expect(other!.key.equals(first!.key)).toBe(false);
    });

    it('creates a single key when asked for the same new subject concurrently', async () => {
      const bob = subject();
      const keys = await Promise.all(Array.from({ length: 8 }, () => store.getOrCreateKey(bob)));
      expect(new Set(keys.map((k) => k!.keyId)).size).toBe(1);
    });

    it('answers many keys at once, leaving out the ones it does not have', async () => {
      const a = (await store.getOrCreateKey(subject()))!;
      const b = (await store.getOrCreateKey(subject()))!;
      const unknown = randomUUID();
      const found = await store.getKeys([a.keyId, b.keyId, unknown, a.keyId]);
      expect([...found.keys()].sort()).toEqual([a.keyId, b.keyId].sort());
      expect(found.get(b.keyId)).toEqual(b.key);
      expect(await store.getKey(unknown)).toBeNull();
      expect((await store.getKeys([])).size).toBe(0);
    });

    it('forgets a subject for good: its key is gone and none is made again', async () => {
      const carol = subject();
      const key = (await store.getOrCreateKey(carol))!;
      expect(await store.isForgotten(carol)).toBe(false);
      const first = await store.forget(carol);
      expect(first.firstTime).toBe(true);
      expect(await store.isForgotten(carol)).toBe(true);
      expect(await store.getKey(key.keyId)).toBeNull();
      expect(await store.getOrCreateKey(carol)).toBeNull();
      const second = await store.forget(carol);
      expect(second).toEqual({ forgottenAt: first.forgottenAt, firstTime: false });
    });

    it('forgets a subject it never had a key for', async () => {
      const dan = subject();
      expect((await store.forget(dan)).firstTime).toBe(true);
      expect(await store.getOrCreateKey(dan)).toBeNull();
    });

    it('leaves no usable key when creation and forgetting race', async () => {
      const eve = subject();
      const [created] = await Promise.all([store.getOrCreateKey(eve), store.forget(eve)]);
      if (created) expect(await store.getKey(created.keyId)).toBeNull();
      expect(await store.getOrCreateKey(eve)).toBeNull();
    });
  });
}
