import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { migrate, type SqlClient } from '@passerelle/database';
import { createTestSqlClient, TEST_DATABASE_URL, type TestSqlClient } from '@passerelle/database/testing';
import type { NewEvent, RecordedEvent } from '../event-store.port';
import { canonicalEventJson, chainHash, GENESIS_HASH } from '../hash-chain';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { eventStoreMigrations } from './migrations';
import { SqlEventStore } from './sql-event-store';

// A long safety poll: live delivery in the contract must come from notifications.
describe.each(['in-transaction', 'after-commit'] as const)('notifying %s', (notify) => {
  describeEventStoreContract(`SQL adapter on PostgreSQL, notifying ${notify}`, async () => {
    const { client, cleanup } = await createTestSqlClient('postgres', 'event_store_contract', {
      maxConnections: 20,
    });
    await migrate(client, eventStoreMigrations);
    const store = new SqlEventStore(client, { pollIntervalMs: 10_000, notify });
    return {
      store,
      async cleanup() {
        await store.close();
        await cleanup();
      },
    };
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(5);
  }
}

const newEvent = (): NewEvent => ({ id: randomUUID(), type: 'Tested', version: 1, data: {}, metadata: {} });

describe('SQL event store on PostgreSQL: gaps and locks', () => {
  let test: TestSqlClient;
  let client: SqlClient;
  let store: SqlEventStore;
  /** A second connection, to hold a transaction open by hand. */
  let other: Client;

  beforeAll(async () => {
    test = await createTestSqlClient('postgres', 'event_store_gaps', { maxConnections: 20 });
    client = test.client;
    await migrate(client, eventStoreMigrations);
    store = new SqlEventStore(client, { pollIntervalMs: 200 });
    other = new Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${client.schema}` });
    await other.connect();
  }, 30_000);

  afterAll(async () => {
    await other.end();
    await store.close();
    await test.cleanup();
  });

  /** The head once readers see every committed event (other transactions in the cluster can hold them back). */
  async function settledHead(): Promise<number> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const [{ max }] = await client.query<{ max: number | null }>(
        'SELECT max(global_position) AS max FROM events',
      );
      const head = await store.headPosition();
      if (head === (max ?? 0)) return head;
      if (Date.now() > deadline) throw new Error('Readers never caught up with the log');
      await sleep(10);
    }
  }

  /** Inserts one event as an append would, on the other connection, inside its open transaction. */
  async function insertByHand(position: number, streamId: string, event: NewEvent): Promise<void> {
    await other.query('INSERT INTO streams (stream_id, revision) VALUES ($1, 0)', [streamId]);
    await other.query(
      `INSERT INTO events (global_position, stream_id, stream_revision, event_id, event_type, schema_version,
                           data, metadata, hash)
       VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8)`,
      [
        position,
        streamId,
        event.id,
        event.type,
        event.version,
        event.data,
        event.metadata,
        chainHash(GENESIS_HASH, event),
      ],
    );
  }

  it('does not let a reader past a position whose transaction is still open', async () => {
    const head = await settledHead();
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ after: head }, async (batch) => {
      received.push(...batch);
    });
    try {
      // Transaction A takes a position, then stalls.
      await other.query('BEGIN');
      const reserved = await other.query<{ position: string }>(
        'SELECT position FROM reserve_positions(1) AS position',
      );
      const positionA = Number(reserved.rows[0].position);

      // B takes the next position and commits first.
      const b = await store.appendToStream(`b-${randomUUID()}`, [newEvent()], 'no_stream');
      expect(b.position).toBeGreaterThan(positionA);

      // The gap is real: B is committed and plainly visible, A's position is still empty...
      const [plain] = await client.query<{ max: number }>('SELECT max(global_position) AS max FROM events');
      expect(plain.max).toBe(b.position);
      // ...and no reader moves past it.
      expect(await store.readAll({ after: head })).toEqual([]);
      expect(await store.headPosition()).toBe(head);
      await sleep(300);
      expect(received).toEqual([]);

      // A fills its position and commits: A then B, in order.
      const eventA = newEvent();
      await insertByHand(positionA, `a-${randomUUID()}`, eventA);
      await other.query('COMMIT');
      await waitFor(() => received.length === 2, 'A and B');
      expect(received.map((event) => event.position)).toEqual([positionA, b.position]);
      expect(received[0].id).toBe(eventA.id);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await subscription.stop();
    }
  });

  it('finds an event whose notification was lost, with the safety poll', async () => {
    const head = await settledHead();
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ after: head }, async (batch) => {
      received.push(...batch);
    });
    try {
      await sleep(50);
      const event = newEvent();
      await other.query('BEGIN');
      const reserved = await other.query<{ position: string }>(
        'SELECT position FROM reserve_positions(1) AS position',
      );
      await insertByHand(Number(reserved.rows[0].position), `silent-${randomUUID()}`, event);
      await other.query('COMMIT');
      await waitFor(() => received.length === 1, 'the silent event');
      expect(received[0].id).toBe(event.id);
    } finally {
      await subscription.stop();
    }
  });

  it('hands out transaction ids in position order under concurrent appends to shared streams', async () => {
    const streams = Array.from({ length: 3 }, () => `hot-${randomUUID()}`);
    await Promise.all(
      Array.from({ length: 16 }, async (_, writer) => {
        for (let i = 0; i < 20; i++) {
          const events = Array.from({ length: 1 + ((writer + i) % 3) }, newEvent);
          await store.appendToStream(streams[(writer + i) % streams.length], events, 'any');
        }
      }),
    );
    const [inversions] = await client.query<{ n: number }>(
      `SELECT count(*) AS n FROM (
         SELECT transaction_id < lag(transaction_id) OVER (ORDER BY global_position) AS inverted FROM events
       ) AS ordered WHERE inverted`,
    );
    expect(inversions.n).toBe(0);
    const [shared] = await client.query<{ n: number }>(
      'SELECT count(DISTINCT transaction_id) AS n FROM events WHERE stream_id = ANY($1)',
      [streams],
    );
    expect(shared.n).toBe(16 * 20);
  }, 60_000);

  it('takes positions for an append only once it holds its stream, and holds up no other stream', async () => {
    const busy = `busy-${randomUUID()}`;
    await store.appendToStream(busy, [newEvent()], 'no_stream');
    // Another connection's append to the same stream, its transaction left open.
    await other.query('BEGIN');
    try {
      await other.query(`SELECT last_position FROM append_to_stream($1, 'any', $2::text[], NULL)`, [
        busy,
        [canonicalEventJson(newEvent())],
      ]);
      const queued = store.appendToStream(busy, [newEvent()], 'any');
      await sleep(300);
      // Other streams go on meanwhile, and take the next positions.
      const elsewhere = await store.appendToStream(`free-${randomUUID()}`, [newEvent()], 'no_stream');
      await other.query('COMMIT');
      const appended = await queued;
      expect(appended.revision).toBe(2);
      // Before: the queued append had taken its position while it waited, ahead of `elsewhere`.
      expect(appended.position).toBeGreaterThan(elsewhere.position);
      const stored = await store.readStream(busy);
      expect(stored.map((event) => event.position)).toEqual(
        [...stored.map((event) => event.position)].sort((a, b) => a - b),
      );
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
    }
  });

  it('refuses to reserve positions after another write of the same transaction', async () => {
    await other.query('BEGIN');
    try {
      await other.query(`INSERT INTO streams (stream_id, revision) VALUES ($1, 0)`, [`late-${randomUUID()}`]);
      await expect(other.query('SELECT reserve_positions(1)')).rejects.toThrow(
        /first write of its transaction/,
      );
    } finally {
      await other.query('ROLLBACK');
    }
  });

  it('releases its lock when cancelled while holding it', async () => {
    await other.query(`SET statement_timeout = '100ms'`);
    try {
      await expect(other.query('SELECT count(*) FROM reserve_positions(2000000000)')).rejects.toThrow(
        /statement timeout/,
      );
    } finally {
      await other.query('RESET statement_timeout');
    }
    const held = await other.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted`,
    );
    expect(held.rows).toEqual([]);
    await expect(
      store.appendToStream(`after-${randomUUID()}`, [newEvent()], 'no_stream'),
    ).resolves.toMatchObject({
      appended: true,
    });
  });
});
