import { migrate } from '@passerelle/database';
import { createTestSqlClient, TestSqlClient } from '@passerelle/database/testing';
import { ERASED } from '@passerelle/domain';
import {
  copyPrivacyTables,
  generateDataKey,
  generateSigningKey,
  HeadSigner,
  KeyConfigError,
  MasterKey,
  parseSigningKey,
  PersonalDataEventStore,
  privacyMigrations,
  SqlPersonKeyStore,
  verifyIntegrity,
} from '@passerelle/privacy';
import { randomUUID } from 'node:crypto';
import { WrongExpectedRevisionError } from '../errors';
import type { EventStore, RecordedEvent } from '../event-store.port';
import { eventStoreMigrations, SqlEventStore } from '../sql';
import { copyLog } from './copy-log';
import { sqlPositionKeeper } from './sql-position-keeper';
import { domainEvent, registered, signed } from '@passerelle/privacy/testing/personal-events';

async function openStore(dialect: 'postgres' | 'pglite', prefix: string) {
  const db = await createTestSqlClient(dialect, prefix);
  await migrate(db.client, eventStoreMigrations);
  return { db, store: new SqlEventStore(db.client) };
}

async function everything(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const batch = await store.readAll({ after: all.at(-1)?.position ?? 0, maxCount: 1000 });
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** What a copy must keep: ids, types, versions, data, metadata, streams, revisions, order and hashes. */
const kept = (events: RecordedEvent[]) =>
  events.map(({ id, type, version, data, metadata, streamId, revision, hash }) => ({
    id,
    type,
    version,
    data,
    metadata,
    streamId,
    revision,
    hash,
  }));

describe('copying the log between stores (PGlite ⇄ PostgreSQL)', () => {
  const opened: TestSqlClient[] = [];
  let source: EventStore;
  let original: RecordedEvent[];

  beforeAll(async () => {
    const pglite = await openStore('pglite', 'copy_source');
    opened.push(pglite.db);
    source = pglite.store;
    const streams = Array.from({ length: 12 }, () => `partnership-${randomUUID()}`);
    // Interleaved appends of one to three events, as a real log looks.
    for (let i = 0; i < 90; i++) {
      const streamId = streams[i % streams.length]!;
      const size = (i % 3) + 1;
      await source.appendToStream(
        streamId,
        Array.from({ length: size }, (_, k) => ({
          id: randomUUID(),
          type: k === 0 ? 'Something' : 'SomethingElse',
          version: 1 + (k % 2),
          data: { i, k, text: `é ${i}` },
          metadata: { actor: { sub: 'copier', roles: ['admin'] }, commandId: randomUUID() },
        })),
        'any',
      );
    }
    original = await everything(source);
  });

  afterAll(async () => {
    for (const db of opened) await db.cleanup();
  });

  it('copies PGlite to PostgreSQL, resumes after an interruption without duplicates, and copies back', async () => {
    const postgres = await openStore('postgres', 'copy_target');
    opened.push(postgres.db);
    let checkpoint = 0;
    const firstLeg = await copyLog(source, postgres.store, {
      batchSize: 25,
      stopAfter: 60,
      onProgress: (p) => {
        checkpoint = p.position;
      },
    });
    expect(firstLeg.copied).toBeGreaterThanOrEqual(60);
    expect(firstLeg.copied).toBeLessThan(original.length);

    // Resume from an older checkpoint than the real one, as after a crash before it was saved.
    const resumed = await copyLog(source, postgres.store, {
      after: Math.max(0, checkpoint - 30),
      batchSize: 25,
    });
    expect(resumed.alreadyThere).toBeGreaterThan(0);
    const copied = await everything(postgres.store);
    expect(copied).toHaveLength(original.length);
    expect(kept(copied)).toEqual(kept(original));

    const back = await openStore('pglite', 'copy_back');
    opened.push(back.db);
    const result = await copyLog(postgres.store, back.store);
    expect(result.copied).toBe(original.length);
    expect(kept(await everything(back.store))).toEqual(kept(original));
  });
});

/** The whole log once readers on the server see `position` (other transactions in the cluster can hold them back). */
async function everythingUpTo(store: EventStore, position: number): Promise<RecordedEvent[]> {
  const deadline = Date.now() + 10_000;
  while ((await store.headPosition()) < position) {
    if (Date.now() > deadline) throw new Error(`position ${position} never became readable`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return everything(store);
}

describe('copying a deployment with personal data and signed heads (PGlite → PostgreSQL)', () => {
  const master = MasterKey.fromText(generateDataKey());
  const subjectOf = master.subjectOf.bind(master);
  const signingKey = parseSigningKey(generateSigningKey());
  const opened: TestSqlClient[] = [];
  const kept = { name: 'Bruno Martin', email: 'bruno@polemer.example.fr' };
  const forgotten = { name: 'Inès Roux', email: 'ines@polemer.example.fr' };
  const signer = 'Claire Dubois';
  const organization = `organization-${randomUUID()}`;
  const partnership = `partnership-${randomUUID()}`;

  /** A deployment's SQL database as the API opens it: the log, the key store and the decorator. */
  async function openDeployment(dialect: 'postgres' | 'pglite', prefix: string, key = master) {
    const db = await createTestSqlClient(dialect, prefix);
    opened.push(db);
    await migrate(db.client, [...eventStoreMigrations, ...privacyMigrations]);
    const stored = new SqlEventStore(db.client);
    const keys = new SqlPersonKeyStore(db.client, key);
    const store = new PersonalDataEventStore(stored, keys, key.subjectOf.bind(key));
    return { client: db.client, stored, keys, store };
  }

  afterAll(async () => {
    for (const db of opened) await db.cleanup();
  });

  it('moves the keys and tombstones with the log: fields decrypt, the forgotten stay forgotten, heads verify', async () => {
    const source = await openDeployment('pglite', 'copy_pii_source');
    await source.keys.checkMasterKey();
    await source.store.appendToStream(
      organization,
      [registered(organization.slice('organization-'.length), [kept, forgotten])],
      'no_stream',
    );
    await expect(
      source.store.appendToStream(organization, [domainEvent('PartnershipSuspended', {})], 5),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    // A transaction rolled back after taking its position leaves a hole, as a real log has them.
    await expect(
      source.client.transaction(async (tx) => {
        await tx.query('SELECT reserve_positions(1)');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await source.store.appendToStream(
      partnership,
      [signed(signer, partnership.slice('partnership-'.length))],
      'no_stream',
    );
    await source.keys.forget(subjectOf('email', forgotten.email));
    const signer1 = new HeadSigner(source.stored, source.client, signingKey);
    await signer1.signHead();
    for (let i = 0; i < 6; i++) {
      await source.stored.appendToStream(
        `partnership-${randomUUID()}`,
        [domainEvent('PartnershipSuspended', { reason: `r${i}`, fromStage: 'proposed' })],
        'no_stream',
      );
    }
    await signer1.signHead();
    const original = await everything(source.stored);
    expect(original.map((event) => event.position)).not.toEqual(original.map((_, i) => i + 1));

    // Interrupted, then resumed from an older checkpoint; positions are kept throughout.
    const target = await openDeployment('postgres', 'copy_pii_target');
    const keepPositions = sqlPositionKeeper(target.client);
    const firstLeg = await copyLog(source.stored, target.stored, {
      batchSize: 2,
      stopAfter: 4,
      keepPositions,
    });
    const resumed = await copyLog(source.stored, target.stored, {
      after: original[1]!.position,
      batchSize: 2,
      keepPositions,
    });
    expect(firstLeg.moved + resumed.moved).toBe(0);
    expect(resumed.alreadyThere).toBeGreaterThan(0);
    const copiedLog = await everythingUpTo(target.stored, original.at(-1)!.position);
    const withPositions = (events: RecordedEvent[]) =>
      events.map(({ id, position, hash, revision }) => ({ id, position, hash, revision }));
    expect(withPositions(copiedLog)).toEqual(withPositions(original));

    const tables = await copyPrivacyTables(source.client, target.client, { signedHeads: true });
    expect(tables.tables).toEqual({
      data_key_check: { copied: 1, alreadyThere: 0, differing: 0, skipped: 0 },
      forgotten_subjects: { copied: 1, alreadyThere: 0, differing: 0, skipped: 0 },
      person_keys: { copied: 2, alreadyThere: 0, differing: 0, skipped: 0 },
      signed_heads: { copied: 2, alreadyThere: 0, differing: 0, skipped: 0 },
    });
    // Again, as a resumed copy does: nothing duplicated, nothing refused.
    const again = await copyPrivacyTables(source.client, target.client, { signedHeads: true });
    expect(again).toEqual({
      tables: {
        data_key_check: { copied: 0, alreadyThere: 1, differing: 0, skipped: 0 },
        forgotten_subjects: { copied: 0, alreadyThere: 1, differing: 0, skipped: 0 },
        person_keys: { copied: 0, alreadyThere: 2, differing: 0, skipped: 0 },
        signed_heads: { copied: 0, alreadyThere: 2, differing: 0, skipped: 0 },
      },
      keysErased: 0,
    });

    // The moved deployment, with the same DATA_KEY, starts and reads the personal fields.
    await target.keys.checkMasterKey();
    const [registration] = await target.store.readStream(organization);
    expect(registration!.data.contacts).toEqual([
      { ...kept, role: 'Director', language: 'fr' },
      { name: ERASED, email: ERASED, role: 'Director', language: 'fr' },
    ]);
    const [signature] = await target.store.readStream(partnership);
    expect(signature!.data.signerName).toBe(signer);
    // No key is made again for the forgotten person.
    expect(await target.keys.getOrCreateKey(subjectOf('email', forgotten.email))).toBeNull();
    expect(await target.keys.isForgotten(subjectOf('email', forgotten.email))).toBe(true);

    const integrity = await verifyIntegrity(target.stored, target.client, {
      trustedPublicKeys: [signingKey.publicKeyText],
    });
    expect(integrity).toMatchObject({ ok: true, mismatches: 0, heads: { checked: 2, failed: 0 } });

    // Forgotten in the source after the copy: the next copy erases the key in the target too.
    await source.keys.forget(subjectOf('name', signer));
    const later = await copyPrivacyTables(source.client, target.client, { signedHeads: true });
    expect(later.keysErased).toBe(1);
    expect(later.tables.forgotten_subjects).toMatchObject({ copied: 1, alreadyThere: 1 });
    const reread = new PersonalDataEventStore(
      target.stored,
      new SqlPersonKeyStore(target.client, master),
      subjectOf,
    );
    const [erased] = await reread.readStream(partnership);
    expect(erased!.data.signerName).toBe(ERASED);
  });

  it('leaves out signed heads whose position holds another event in the target', async () => {
    const source = await openDeployment('pglite', 'copy_heads_source');
    await source.stored.appendToStream(
      `partnership-${randomUUID()}`,
      [domainEvent('PartnershipSuspended', {})],
      'no_stream',
    );
    await new HeadSigner(source.stored, source.client, signingKey).signHead();
    // The target already had an event of its own: the copy lands after it.
    const target = await openDeployment('postgres', 'copy_heads_target');
    await target.stored.appendToStream(
      `partnership-${randomUUID()}`,
      [domainEvent('PartnershipSuspended', {})],
      'no_stream',
    );
    const copied = await copyLog(source.stored, target.stored, {
      keepPositions: sqlPositionKeeper(target.client),
    });
    expect(copied).toMatchObject({ copied: 1, moved: 1 });
    const tables = await copyPrivacyTables(source.client, target.client, { signedHeads: true });
    expect(tables.tables.signed_heads).toEqual({ copied: 0, alreadyThere: 0, differing: 0, skipped: 1 });
  });

  it('refuses a target written with another DATA_KEY', async () => {
    const source = await openDeployment('pglite', 'copy_key_source');
    await source.keys.checkMasterKey();
    const other = MasterKey.fromText(generateDataKey());
    const target = await openDeployment('postgres', 'copy_key_target', other);
    await target.keys.checkMasterKey();
    await expect(
      copyPrivacyTables(source.client, target.client, { signedHeads: true }),
    ).rejects.toBeInstanceOf(KeyConfigError);
  });
});
