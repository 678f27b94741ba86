import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { migrate } from '@passerelle/database';
import { createTestSqlClient, type TestSqlClient } from '@passerelle/database/testing';
import { type EventStore, eventStoreMigrations, type NewEvent, SqlEventStore } from '@passerelle/event-store';
import { verifyIntegrity } from './integrity';
import {
  checkHeadSignature,
  generateSigningKey,
  HeadSigner,
  headMessage,
  listSignedHeads,
  parseSigningKey,
  sqlLastHashesAt,
} from './signed-heads';
import { privacyMigrations } from './sql/migrations';

const event = (n: number): NewEvent => ({
  id: randomUUID(),
  type: 'PartnershipSuspended',
  version: 1,
  data: { reason: `reason ${n}`, fromStage: 'proposed' },
  metadata: { actor: { sub: 'officer-1', roles: ['officer'] } },
});

describe('signing keys', () => {
  it('reads an Ed25519 key as PEM or as base64 PKCS#8 DER, and refuses anything else', () => {
    const pem = generateSigningKey();
    const fromPem = parseSigningKey(pem);
    const der = fromPem.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    expect(parseSigningKey(der).publicKeyText).toBe(fromPem.publicKeyText);
    expect(() => parseSigningKey('s')).toThrow('SIGNING_KEY');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    expect(() => parseSigningKey(rsa.toString())).toThrow('Ed25519');
  });

  it('signs the position and digest under a context of their own', () => {
    expect(headMessage(42, 'ab').toString()).toBe('passerelle/signed-head/v1\n{"digest":"ab","position":42}');
  });
});

describe.each(['pglite', 'postgres'] as const)('signed heads and integrity verification on %s', (dialect) => {
  const key = parseSigningKey(generateSigningKey());
  const trusted = { trustedPublicKeys: [key.publicKeyText] };
  let test: TestSqlClient;
  let store: SqlEventStore;
  let signer: HeadSigner;
  const streams = [
    `partnership-${randomUUID()}`,
    `partnership-${randomUUID()}`,
    `organization-${randomUUID()}`,
  ];

  /** Readers see an append once every older transaction on the server has ended (other tests share it). */
  const readableIn = async (log: EventStore, position: number) => {
    const deadline = Date.now() + 10_000;
    while ((await log.headPosition()) < position) {
      if (Date.now() > deadline) throw new Error(`position ${position} never became readable`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const settled = (position: number) => readableIn(store, position);

  beforeAll(async () => {
    test = await createTestSqlClient(dialect, 'integrity');
    await migrate(test.client, [...eventStoreMigrations, ...privacyMigrations]);
    store = new SqlEventStore(test.client);
    signer = new HeadSigner(store, test.client, key, 2);
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await test.cleanup();
  }, 30_000);

  it('has nothing to sign on an empty log, and an empty log verifies', async () => {
    expect(await signer.signHead()).toBeNull();
    expect(await verifyIntegrity(store, test.client, trusted)).toEqual(
      expect.objectContaining({
        ok: true,
        checkedEvents: 0,
        mismatches: 0,
        heads: { checked: 0, failed: 0, failures: [] },
      }),
    );
  });

  it('signs the head, following the log from where it was; a clean log verifies with every head', async () => {
    for (let round = 0; round < 3; round++) {
      for (const [index, streamId] of streams.entries()) {
        await store.appendToStream(
          streamId,
          [event(round), event(index)],
          round === 0 ? 'no_stream' : round * 2 - 1,
        );
      }
      await settled((round + 1) * 6);
      const head = (await signer.signHead())!;
      expect(head.position).toBe((round + 1) * 6);
      expect(head.streams).toBe(3);
      expect(checkHeadSignature(head, [key.publicKeyText])).toBeNull();
    }
    const again = await signer.signHead();
    expect((await listSignedHeads(test.client)).map((h) => h.position)).toEqual([6, 12, 18]);
    expect(again!.position).toBe(18);
    // A signer starting afresh reads the whole log and signs the same digest.
    await store.appendToStream(streams[0]!, [event(9)], 5);
    await settled(19);
    const other = await new HeadSigner(store, test.client, key).signHead();
    expect(other!.position).toBe(19);

    const report = await verifyIntegrity(store, test.client, trusted);
    expect(report).toEqual(
      expect.objectContaining({
        ok: true,
        checkedEvents: 19,
        checkedStreams: 3,
        headPosition: 19,
        mismatches: 0,
      }),
    );
    expect(report.heads).toEqual({
      checked: 4,
      failed: 0,
      failures: [],
      latest: { position: 19, signedAt: expect.any(String) },
    });
    expect(report.firstMismatch).toBeUndefined();
  });

  it('after a restart, signs from the last signed head, and from the start when its digest no longer holds', async () => {
    // The store as the signer sees it, counting the events it reads.
    let read = 0;
    const counting: EventStore = Object.create(store, {
      readAll: {
        value: async (options: Parameters<EventStore['readAll']>[0]) => {
          const batch = await store.readAll(options);
          read += batch.length;
          return batch;
        },
      },
    });
    const [latest] = await listSignedHeads(test.client, 1);
    expect(latest!.position).toBe(19);

    const resumed = await new HeadSigner(
      counting,
      test.client,
      key,
      2,
      sqlLastHashesAt(test.client),
    ).signHead();
    expect(read).toBe(0);
    expect(resumed).toEqual(latest);

    // Appended since the head: only that event is read (looked at once to see there is something to
    // sign, then read on from the head), and the digest is the one a full read gives.
    await store.appendToStream(streams[1]!, [event(10)], 5);
    await settled(20);
    read = 0;
    const next = await new HeadSigner(counting, test.client, key, 2, sqlLastHashesAt(test.client)).signHead();
    expect(read).toBe(2);
    const full = await new HeadSigner(store, test.client, key).signHead();
    expect(next!.position).toBe(20);
    expect(next!.digest).toBe(full!.digest);

    // A head whose digest does not match the log's hashes is not trusted to start from: with something
    // new to sign, the signer reads the whole log.
    await test.client.query('UPDATE signed_heads SET digest = $1 WHERE position = 20', ['0'.repeat(64)]);
    await store.appendToStream(streams[2]!, [event(11)], 5);
    await settled(21);
    read = 0;
    const again = await new HeadSigner(
      counting,
      test.client,
      key,
      2,
      sqlLastHashesAt(test.client),
    ).signHead();
    expect(read).toBe(1 + 21);
    expect(again!.position).toBe(21);
    expect(again!.digest).toBe((await new HeadSigner(store, test.client, key).signHead())!.digest);
    // Leave the log and its heads as the tests below expect them.
    await test.client.query('DELETE FROM signed_heads WHERE position >= 20');
    await test.client.query('DELETE FROM events WHERE global_position >= 20');
  });

  it('signs a log that has no head yet from the last hash of each stream on PGlite, reading no event', async () => {
    const fresh = await createTestSqlClient(dialect, 'integrity_fresh');
    try {
      await migrate(fresh.client, [...eventStoreMigrations, ...privacyMigrations]);
      const log = new SqlEventStore(fresh.client);
      for (const streamId of streams) await log.appendToStream(streamId, [event(1), event(2)], 'no_stream');
      await log.appendToStream(streams[0]!, [event(3)], 1);
      await readableIn(log, 7);
      let read = 0;
      const counting: EventStore = Object.create(log, {
        readAll: {
          value: async (options: Parameters<EventStore['readAll']>[0]) => {
            const batch = await log.readAll(options);
            read += batch.length;
            return batch;
          },
        },
      });
      const head = await new HeadSigner(
        counting,
        fresh.client,
        key,
        2,
        sqlLastHashesAt(fresh.client),
      ).signHead();
      expect(head).toMatchObject({ position: 7, streams: 3 });
      // PostgreSQL commits while another statement runs: the signer reads the log there, as before.
      expect(read).toBe(dialect === 'pglite' ? 0 : 7);
      const report = await verifyIntegrity(log, fresh.client, trusted);
      expect(report).toMatchObject({ ok: true, heads: { checked: 1, failed: 0 } });
      await log.close();
    } finally {
      await fresh.cleanup();
    }
  });

  it('merges the streams first seen since its last signature into the digest, in order', async () => {
    const fresh = await createTestSqlClient(dialect, 'integrity_merge');
    try {
      await migrate(fresh.client, [...eventStoreMigrations, ...privacyMigrations]);
      const log = new SqlEventStore(fresh.client);
      const following = new HeadSigner(log, fresh.client, key, 2);
      const [first, middle, last, before, between] = ['b-1', 'd-1', 'f-1', 'a-1', 'c-1'].map(
        (prefix) => `${prefix}-${randomUUID()}`,
      );
      for (const streamId of [first!, middle!, last!]) {
        await log.appendToStream(streamId, [event(1)], 'no_stream');
      }
      await readableIn(log, 3);
      expect(await following.signHead()).toMatchObject({ position: 3, streams: 3 });
      for (const streamId of [between!, before!]) await log.appendToStream(streamId, [event(2)], 'no_stream');
      await log.appendToStream(middle!, [event(3)], 0);
      await readableIn(log, 6);
      const next = await following.signHead();
      expect(next).toMatchObject({ position: 6, streams: 5 });
      expect(next!.digest).toBe((await new HeadSigner(log, fresh.client, key).signHead())!.digest);
      const report = await verifyIntegrity(log, fresh.client, trusted);
      expect(report).toMatchObject({ ok: true, heads: { checked: 2, failed: 0 } });
      await log.close();
    } finally {
      await fresh.cleanup();
    }
  });

  it('names the first altered event, with its stream, revision and position', async () => {
    const [target] = await store.readStream(streams[1]!, { fromRevision: 2, maxCount: 1 });
    await test.client.query(
      `UPDATE events SET data = jsonb_set(data, '{reason}', '"rewritten"') WHERE stream_id = $1 AND stream_revision = 2`,
      [streams[1]],
    );
    const report = await verifyIntegrity(store, test.client, trusted);
    expect(report.ok).toBe(false);
    expect(report.firstMismatch).toEqual({
      streamId: streams[1],
      revision: 2,
      position: target!.position,
      reason: 'hash_mismatch',
    });
    expect(report.mismatches).toBe(1);
    // The hashes stored are untouched, so the signed digests still hold.
    expect(report.heads.failed).toBe(0);
    await test.client.query(
      `UPDATE events SET data = jsonb_set(data, '{reason}', '"reason 1"') WHERE stream_id = $1 AND stream_revision = 2`,
      [streams[1]],
    );
    expect((await verifyIntegrity(store, test.client, trusted)).ok).toBe(true);
  });

  it('catches the last event of a stream deleted, which its chain alone cannot show', async () => {
    const [last] = await store.readStream(streams[2]!, { direction: 'backwards', maxCount: 1 });
    await test.client.query('DELETE FROM events WHERE global_position = $1', [last!.position]);
    const report = await verifyIntegrity(store, test.client, trusted);
    expect(report.mismatches).toBe(0);
    expect(report.ok).toBe(false);
    expect(report.heads.failures).toEqual([
      { position: 18, signedAt: expect.any(String), reason: 'digest_mismatch' },
      { position: 19, signedAt: expect.any(String), reason: 'digest_mismatch' },
    ]);
    expect(report.heads.failed).toBe(2);
  });

  it('catches the end of the log cut off, and heads signed by another key or altered', async () => {
    const [last] = await store.readStream(streams[0]!, { direction: 'backwards', maxCount: 1 });
    expect(last!.position).toBe(19);
    await test.client.query('DELETE FROM events WHERE global_position = 19');
    const intruder = parseSigningKey(generateSigningKey());
    const forged = new HeadSigner(store, test.client, intruder);
    await test.client.query('DELETE FROM signed_heads WHERE position = 12');
    await test.client.query('UPDATE signed_heads SET signature = $1 WHERE position = 6', [
      Buffer.alloc(64).toString('base64'),
    ]);
    const intruderHead = await forged.signHead();
    expect(intruderHead!.position).toBe(17);
    const report = await verifyIntegrity(store, test.client, trusted);
    expect(report.headPosition).toBe(17);
    expect(report.heads.failures.map(({ position, reason }) => ({ position, reason }))).toEqual([
      { position: 6, reason: 'bad_signature' },
      { position: 17, reason: 'untrusted_key' },
      { position: 18, reason: 'log_truncated' },
      { position: 19, reason: 'log_truncated' },
    ]);
  });
});
