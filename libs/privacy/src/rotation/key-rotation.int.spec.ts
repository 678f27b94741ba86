import { randomUUID, sign } from 'node:crypto';
import { migrate } from '@passerelle/database';
import { createTestSqlClient, type TestSqlClient } from '@passerelle/database/testing';
import { ERASED } from '@passerelle/domain';
import { eventStoreMigrations, SqlEventStore } from '@passerelle/event-store';
import { verifyIntegrity } from '../integrity';
import { generateDataKey, KeyConfigError, MasterKey } from '../master-key';
import { PersonalDataEventStore } from '../personal-data-event-store';
import { generateSigningKey, HeadSigner, headMessage, parseSigningKey } from '../signed-heads';
import { privacyMigrations } from '../sql/migrations';
import { SqlPersonKeyStore } from '../sql/sql-person-key-store';
import { registered } from '../testing/personal-events';
import { DataKeyRing, openDataKeys } from './data-key-ring';
import { rotateDataKey, RotationInterrupted } from './rotate-data-key';
import { rotateKeys } from './rotate-keys';
import {
  listSigningKeySuccessions,
  openSigningKeys,
  rotateSigningKey,
  SigningKeyRing,
  trustedSigners,
} from './signing-key-ring';
import { copyPrivacyTables } from '../sql/copy-privacy-tables';

/** Every contact of every organisation registered, by organisation id. */
type Written = Map<string, { name: string; email: string }>;

describe.each(['pglite', 'postgres'] as const)('key rotation on %s', (dialect) => {
  const [oldData, newData] = [generateDataKey(), generateDataKey()];
  const [oldSigning, newSigning] = [generateSigningKey(), generateSigningKey()];
  let test: TestSqlClient;
  let stored: SqlEventStore;

  /** A process: its key ring, its key store without a cache (every read unwraps), its decorated store. */
  const processWith = async (ring: DataKeyRing) => {
    const master = await openDataKeys(test.client, ring);
    const keys = new SqlPersonKeyStore(test.client, ring);
    const store = new PersonalDataEventStore(stored, keys, (kind, value) => master.subjectOf(kind, value), {
      plaintextCacheEntries: 1,
      plaintextTtlMs: 1,
    });
    return { master, store };
  };

  /**
   * Registers one person and waits until readers see the event: on PostgreSQL the head readers see can
   * trail a commit while any other transaction in the cluster is open (decision 0001), which on a busy
   * shared server left `readAll` and a new signer's first look one event short.
   */
  const register = async (store: PersonalDataEventStore, written: Written) => {
    const id = randomUUID();
    const contact = { name: `Contact ${id.slice(0, 8)}`, email: `c-${id.slice(0, 8)}@example.fr` };
    const { position } = await store.appendToStream(
      `organization-${id}`,
      [registered(id, [contact])],
      'no_stream',
    );
    written.set(id, contact);
    for (const deadline = Date.now() + 30_000; (await stored.headPosition()) < position;) {
      if (Date.now() > deadline) throw new Error(`position ${position} never became readable`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  /** How many written contacts read back as written: each one's name and address through the store. */
  const readBack = async (store: PersonalDataEventStore, written: Written) => {
    let intact = 0;
    for (let after = 0; ;) {
      const batch = await store.readAll({ after, maxCount: 500 });
      if (batch.length === 0) break;
      for (const event of batch) {
        const data = event.data as { organizationId: string; contacts: { name: string; email: string }[] };
        const expected = written.get(data.organizationId);
        const [contact] = data.contacts;
        if (expected && contact?.name === expected.name && contact.email === expected.email) intact += 1;
      }
      after = batch[batch.length - 1]!.position;
    }
    return intact;
  };

  beforeAll(async () => {
    test = await createTestSqlClient(dialect, 'key_rotation');
    await migrate(test.client, [...eventStoreMigrations, ...privacyMigrations]);
    stored = new SqlEventStore(test.client);
  }, 60_000);
  afterAll(async () => {
    await stored.close();
    await test.cleanup();
  }, 30_000);

  it('re-wraps every person key under load, survives an interruption, and keeps every field and subject', async () => {
    const written: Written = new Map();
    const before = await processWith(new DataKeyRing(MasterKey.fromText(oldData)));
    for (let i = 0; i < 40; i++) await register(before.store, written);
    const aliceBefore = before.master.subjectOf('email', 'alice@example.org');

    // Every process restarted with both keys: the old one stays in use until the rotation says otherwise.
    const ring = DataKeyRing.fromText(newData, oldData);
    const during = await processWith(ring);
    expect(during.master.subjectOf('email', 'alice@example.org')).toBe(aliceBefore);

    // A steady load: new people registered and the whole log read back, until the rotation is over.
    const failures: unknown[] = [];
    let reads = 0;
    let rotating = true;
    const load = (async () => {
      while (rotating) {
        try {
          await register(during.store, written);
          const expected = written.size;
          const intact = await readBack(during.store, written);
          if (intact < expected) failures.push(new Error(`${expected - intact} contacts did not read back`));
          reads += 1;
        } catch (error) {
          failures.push(error);
        }
      }
    })();

    // Stopped whatever happens: a load left running would go on through the next tests and past the file.
    let resumed;
    try {
      const stop = new AbortController();
      let batches = 0;
      await expect(
        rotateDataKey(test.client, ring, {
          batchSize: 4,
          signal: stop.signal,
          onBatch: () => {
            if (++batches === 3) stop.abort();
          },
        }),
      ).rejects.toBeInstanceOf(RotationInterrupted);
      const [halfway] = await test.client.query<{
        rewrapped: number;
        checkpoint: string;
        completed_at: Date | null;
      }>(`SELECT rewrapped, checkpoint, completed_at FROM key_rotations WHERE kind = 'data'`);
      expect(halfway).toEqual({ rewrapped: 12, checkpoint: expect.any(String), completed_at: null });
      // Interrupted, a process holding only one of the two keys is refused rather than reading fields as erased.
      await expect(openDataKeys(test.client, DataKeyRing.fromText(newData))).rejects.toThrow(/under way/);

      resumed = await rotateDataKey(test.client, ring, { batchSize: 4 });
    } finally {
      rotating = false;
      await load;
    }
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(0);
    expect(resumed).toEqual(expect.objectContaining({ resumed: true, alreadyDone: false }));

    const [left] = await test.client.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM person_keys WHERE wrapped_by IS DISTINCT FROM $1',
      [ring.current.fingerprint],
    );
    expect(left!.n).toBe(0);

    // After the rotation the old key can go: the new key alone reads everything, and names people as before.
    const after = await processWith(DataKeyRing.fromText(newData));
    expect(await readBack(after.store, written)).toBe(written.size);
    expect(after.master.subjectOf('email', 'alice@example.org')).toBe(aliceBefore);
    expect(after.master.requestDigest('r')).toBe(before.master.requestDigest('r'));
    const fields = (await after.store.readAll({ after: 0, maxCount: 1000 })).flatMap(
      (event) => (event.data as { contacts: { email: string }[] }).contacts,
    );
    expect(fields.filter((contact) => contact.email === ERASED)).toEqual([]);
    // The old key alone no longer opens this database.
    await expect(openDataKeys(test.client, DataKeyRing.fromText(oldData))).rejects.toBeInstanceOf(
      KeyConfigError,
    );
    // Running it again does nothing.
    expect(await rotateDataKey(test.client, ring)).toEqual(expect.objectContaining({ alreadyDone: true }));
  }, 120_000);

  it('signs with the new key from the rotation on; every earlier head still verifies, and a leaked old key signs nothing new', async () => {
    const oldRing = new SigningKeyRing(parseSigningKey(oldSigning));
    await openSigningKeys(test.client, oldRing);
    const before = new HeadSigner(stored, test.client, oldRing);
    const writer = await processWith(DataKeyRing.fromText(newData));
    const written: Written = new Map();
    await register(writer.store, written);
    const first = (await before.signHead())!;
    expect(first.publicKey).toBe(oldRing.current.publicKeyText);

    // Restarted with both keys: the old key keeps signing until the rotation.
    const ring = SigningKeyRing.fromText(newSigning, oldSigning);
    const during = new HeadSigner(stored, test.client, ring);
    await register(writer.store, written);
    expect((await during.signHead())!.publicKey).toBe(oldRing.current.publicKeyText);

    const rotation = await rotateKeys(test.client, { signing: ring });
    expect(rotation.signing).toEqual(
      expect.objectContaining({ alreadyDone: false, lastPosition: expect.any(Number) }),
    );
    await register(writer.store, written);
    const next = (await during.signHead())!;
    expect(next.publicKey).toBe(ring.current.publicKeyText);
    expect(await rotateSigningKey(test.client, ring)).toEqual(expect.objectContaining({ alreadyDone: true }));

    // Configured with the new key only, every head verifies: the old one through the recorded succession.
    const trust = await trustedSigners(test.client, [ring.current.publicKeyText]);
    const report = await verifyIntegrity(stored, test.client, trust);
    expect(report).toEqual(expect.objectContaining({ ok: true }));
    expect(report.heads.checked).toBeGreaterThanOrEqual(3);

    // A head signed later by the old key (leaked, say) is not trusted.
    await register(writer.store, written);
    const position = await stored.headPosition();
    const signature = sign(null, headMessage(position, 'ab'), oldRing.current.privateKey).toString('base64');
    await test.client.query(
      `INSERT INTO signed_heads (position, digest, streams, signature, public_key) VALUES ($1, 'ab', 1, $2, $3)`,
      [position, signature, oldRing.current.publicKeyText],
    );
    const forged = await verifyIntegrity(stored, test.client, trust);
    expect(forged.heads.failures).toEqual([expect.objectContaining({ position, reason: 'untrusted_key' })]);
    await test.client.query('DELETE FROM signed_heads WHERE position = $1', [position]);

    // A succession rewritten by someone without the keys counts for nothing.
    await test.client.query(`UPDATE signing_key_successions SET last_position = last_position + 1000`);
    const rewritten = await verifyIntegrity(
      stored,
      test.client,
      await trustedSigners(test.client, [ring.current.publicKeyText]),
    );
    expect(rewritten.heads.failures.map((failure) => failure.reason)).toContain('untrusted_key');
    await test.client.query(`UPDATE signing_key_successions SET last_position = last_position - 1000`);
  }, 120_000);

  it('carries the naming keys and the key successions to a copy of the deployment (copy-log)', async () => {
    const target = await createTestSqlClient(dialect, 'key_rotation_copy');
    try {
      await migrate(target.client, eventStoreMigrations);
      const copied = await copyPrivacyTables(test.client, target.client, { signedHeads: true });
      expect(copied.tables).toEqual(
        expect.objectContaining({
          naming_keys: { copied: 1, alreadyThere: 0, differing: 0, skipped: 0 },
          signing_key_successions: { copied: 1, alreadyThere: 0, differing: 0, skipped: 0 },
        }),
      );
      // Started there with the new key alone, the copy names people as the original did.
      const newOnly = DataKeyRing.fromText(newData);
      const there = await openDataKeys(target.client, newOnly);
      const here = await openDataKeys(test.client, newOnly);
      expect(there.subjectOf('email', 'alice@example.org')).toBe(
        here.subjectOf('email', 'alice@example.org'),
      );
      expect(await listSigningKeySuccessions(target.client)).toEqual(
        await listSigningKeySuccessions(test.client),
      );
    } finally {
      await target.cleanup();
    }
  }, 60_000);
});
