import { migrate } from '@passerelle/database';
import { createTestSqlClient, TestSqlClient } from '@passerelle/database/testing';
import { randomUUID } from 'node:crypto';
import type { EventStore, RecordedEvent } from '../event-store.port';
import { eventStoreMigrations, SqlEventStore } from '../sql';
import { copyLog } from './copy-log';

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
