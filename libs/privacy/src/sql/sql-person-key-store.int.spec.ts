import { migrate } from '@passerelle/database';
import { createTestSqlClient, type TestSqlClient } from '@passerelle/database/testing';
import { generateDataKey, KeyConfigError, MasterKey } from '../master-key';
import { personKeyStoreContract } from '../testing/person-key-store.contract';
import { privacyMigrations } from './migrations';
import { SqlPersonKeyStore } from './sql-person-key-store';

describe.each(['pglite', 'postgres'] as const)('SqlPersonKeyStore on %s', (dialect) => {
  const master = MasterKey.fromText(generateDataKey());
  let test: TestSqlClient;
  let store: SqlPersonKeyStore;

  beforeAll(async () => {
    test = await createTestSqlClient(dialect, 'person_keys');
    await migrate(test.client, privacyMigrations);
    store = new SqlPersonKeyStore(test.client, master);
    await store.checkMasterKey();
  }, 60_000);
  afterAll(() => test.cleanup(), 30_000);

  personKeyStoreContract(dialect, async () => store);

  it('stores keys wrapped, and the subject only as given (a keyed hash)', async () => {
    const subject = master.subjectOf('email', 'alice@example.org');
    const key = (await store.getOrCreateKey(subject))!;
    const [row] = await test.client.query<{ subject: string; wrapped_key: string }>(
      'SELECT subject, wrapped_key FROM person_keys WHERE key_id = $1',
      [key.keyId],
    );
    expect(row!.subject).toBe(subject);
    expect(row!.wrapped_key).toMatch(/^v1:/);
    expect(row!.wrapped_key).not.toContain(key.key.toString('base64url'));
    expect(master.unwrap(key.keyId, row!.wrapped_key)).toEqual(key.key);
  });

  it('deletes the key row when forgetting, keeping only the tombstone', async () => {
    const subject = master.subjectOf('email', 'bob@example.fr');
    await store.getOrCreateKey(subject);
    await store.forget(subject);
    expect(await test.client.query('SELECT 1 FROM person_keys WHERE subject = $1', [subject])).toHaveLength(
      0,
    );
    expect(
      await test.client.query('SELECT 1 FROM forgotten_subjects WHERE subject = $1', [subject]),
    ).toHaveLength(1);
  });

  it('refuses to start with another master key than the one the keys were wrapped with', async () => {
    const other = new SqlPersonKeyStore(test.client, MasterKey.fromText(generateDataKey()));
    await expect(other.checkMasterKey()).rejects.toThrow(KeyConfigError);
    await expect(store.checkMasterKey()).resolves.toBeUndefined();
  });
});
