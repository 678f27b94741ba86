import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { migrate, sqlStateOf, type SqlClient } from '@passerelle/database';
import { createTestSqlClient, TEST_DATABASE_URL, type TestSqlClient } from '@passerelle/database/testing';
import { WrongExpectedRevisionError } from '../errors';
import type { NewEvent, RecordedEvent } from '../event-store.port';
import { canonicalEventJson, chainHash, GENESIS_HASH, verifyChain } from '../hash-chain';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { eventStoreMigrations } from './migrations';
import { SqlEventStore } from './sql-event-store';

// A long safety poll: live delivery in the contract must come from notifications. Group commit
// (the default) with either way of notifying, and one transaction per append.
describe.each([
  ['in-transaction', 'grouped'],
  ['after-commit', 'grouped'],
  ['after-commit', 'one per transaction'],
] as const)('notifying %s, appends %s', (notify, grouping) => {
  describeEventStoreContract(
    `SQL adapter on PostgreSQL, notifying ${notify}, appends ${grouping}`,
    async () => {
      const { client, cleanup } = await createTestSqlClient('postgres', 'event_store_contract', {
        maxConnections: 20,
      });
      await migrate(client, eventStoreMigrations);
      const store = new SqlEventStore(client, {
        pollIntervalMs: 10_000,
        notify,
        appendBatchMax: grouping === 'grouped' ? undefined : 1,
      });
      return {
        store,
        async cleanup() {
          await store.close();
          await cleanup();
        },
      };
    },
  );
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
  /** The same store, one transaction per append. */
  let single: SqlEventStore;
  /** A second connection, to hold a transaction open by hand. */
  let other: Client;

  beforeAll(async () => {
    test = await createTestSqlClient('postgres', 'event_store_gaps', { maxConnections: 20 });
    client = test.client;
    await migrate(client, eventStoreMigrations);
    store = new SqlEventStore(client, { pollIntervalMs: 200 });
    single = new SqlEventStore(client, { pollIntervalMs: 200, appendBatchMax: 1 });
    other = new Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${client.schema}` });
    await other.connect();
  }, 30_000);

  afterAll(async () => {
    await other.end();
    await single.close();
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

  it.each(['one per transaction', 'grouped'] as const)(
    'hands out transaction ids in position order under concurrent appends to shared streams, appends %s',
    async (grouping) => {
      const appender = grouping === 'grouped' ? store : single;
      const streams = Array.from({ length: 3 }, () => `hot-${randomUUID()}`);
      await Promise.all(
        Array.from({ length: 16 }, async (_, writer) => {
          for (let i = 0; i < 20; i++) {
            const events = Array.from({ length: 1 + ((writer + i) % 3) }, newEvent);
            await appender.appendToStream(streams[(writer + i) % streams.length], events, 'any');
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
      // Grouped, appends waiting on each other shared transactions (the test would mean little otherwise).
      if (grouping === 'grouped') expect(shared.n).toBeLessThan(16 * 20);
      else expect(shared.n).toBe(16 * 20);
      for (const streamId of streams) {
        const stored = await store.readStream(streamId);
        expect(stored.map((event) => event.revision)).toEqual(stored.map((_, revision) => revision));
        expect(verifyChain(stored)).toBeNull();
      }
    },
    60_000,
  );

  it('commits appends made at once in one transaction; a stale or bad one fails alone', async () => {
    const [a, b] = [`a-${randomUUID()}`, `b-${randomUUID()}`];
    await store.appendToStream(b, [newEvent()], 'no_stream');
    const bad: NewEvent = { ...newEvent(), data: { text: 'nul \u0000 byte' } };
    const fresh = Array.from({ length: 4 }, () => `fresh-${randomUUID()}`);
    const results = await Promise.allSettled([
      store.appendToStream(fresh[0], [newEvent()], 'no_stream'),
      store.appendToStream(a, [newEvent()], 'no_stream'),
      // The same stream again, in the same batch: applied after the one before it.
      store.appendToStream(a, [newEvent(), newEvent()], 0),
      store.appendToStream(b, [newEvent()], 5),
      store.appendToStream(fresh[1], [newEvent()], 'no_stream'),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((results[3] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect(results[2]).toMatchObject({ value: { revision: 2 } });
    const stored = await store.readStream(a);
    expect(stored.map((event) => event.revision)).toEqual([0, 1, 2]);
    expect(verifyChain(stored)).toBeNull();
    const [{ n }] = await client.query<{ n: number }>(
      'SELECT count(DISTINCT transaction_id) AS n FROM events WHERE stream_id = ANY($1)',
      [[fresh[0], a, fresh[1]]],
    );
    expect(n).toBe(1);

    // An event PostgreSQL cannot store (jsonb has no NUL) fails its whole batch on the server: each
    // append is then made again on its own, and only the bad one fails.
    const withBad = await Promise.allSettled([
      store.appendToStream(fresh[2], [newEvent()], 'no_stream'),
      store.appendToStream(`bad-${randomUUID()}`, [bad], 'no_stream'),
      store.appendToStream(fresh[3], [newEvent()], 'no_stream'),
    ]);
    expect(withBad.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(sqlStateOf((withBad[1] as PromiseRejectedResult).reason)).toBe('22P05');
  });

  it('fails every append of a batch whose connection is lost, and writes none of them', async () => {
    const held = `held-${randomUUID()}`;
    await other.query('BEGIN');
    try {
      // Another transaction holds the stream, so the batch that names it waits for it.
      await other.query(`SELECT last_position FROM append_to_stream($1, 'any', $2::text[], NULL)`, [
        held,
        [canonicalEventJson(newEvent())],
      ]);
      const neighbours = [`n-${randomUUID()}`, `n-${randomUUID()}`];
      const appends = Promise.allSettled([
        store.appendToStream(neighbours[0], [newEvent()], 'no_stream'),
        store.appendToStream(held, [newEvent()], 'any'),
        store.appendToStream(neighbours[1], [newEvent()], 'no_stream'),
      ]);
      const otherPid = (await other.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      let waiting: number | undefined;
      const deadline = Date.now() + 10_000;
      while (waiting === undefined) {
        if (Date.now() > deadline) throw new Error('The batch never waited for the held stream');
        const [row] = await client.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))',
          [otherPid],
        );
        waiting = row?.pid;
        if (waiting === undefined) await sleep(10);
      }
      // The batch's own connection, opened by this test's pool.
      await client.query('SELECT pg_terminate_backend($1)', [waiting]);
      const results = await appends;
      expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
      const reasons = results.map((result) => (result as PromiseRejectedResult).reason as Error);
      expect(new Set(reasons).size).toBe(1);
      for (const streamId of neighbours) expect(await store.readStream(streamId)).toEqual([]);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
    }
  });

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
      // What any earlier write does first: take the transaction's id.
      await other.query('SELECT pg_current_xact_id()');
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

describe('SQL event store on PostgreSQL: plans of an append', () => {
  let test: TestSqlClient;
  /** One connection that reports the plan of every statement, nested ones included, as notices. */
  let explained: Client;
  const plans: string[] = [];

  beforeAll(async () => {
    test = await createTestSqlClient('postgres', 'event_store_plans');
    await migrate(test.client, eventStoreMigrations);
    explained = new Client({
      connectionString: TEST_DATABASE_URL,
      options: `-c search_path=${test.client.schema}`,
    });
    await explained.connect();
    explained.on('notice', (notice) => plans.push(notice.message ?? ''));
    await explained.query(`LOAD 'auto_explain'`);
    await explained.query('SET auto_explain.log_min_duration = 0');
    await explained.query('SET auto_explain.log_nested_statements = on');
    await explained.query('SET auto_explain.log_level = notice');
  }, 30_000);

  afterAll(async () => {
    await explained.end();
    await test.cleanup();
  });

  /** One batch of `size` appends, each one event to a new stream, as the store sends it, on the explaining connection. */
  async function appendBatch(size: number): Promise<void> {
    const streams = Array.from({ length: size }, () => `plans-${randomUUID()}`);
    const events = streams.map(newEvent);
    const rows = await explained.query<{ outcome: string }>(
      'SELECT outcome FROM append_batch_json($1, $2, $3, $4, $5, NULL)',
      [
        streams,
        streams.map(() => 'no_stream'),
        streams.map(() => 1),
        events.map((event) => event.id),
        `[${events.map(canonicalEventJson).join(',')}]`,
      ],
    );
    expect(rows.rows.map((row) => row.outcome)).toEqual(streams.map(() => 'ok'));
  }

  it('probes the indexes of the log, even once the connection has settled on generic plans for a small log', async () => {
    // Batches of eight on a new log: past the fifth run, PL/pgSQL may keep a generic plan, which for a
    // log of a few pages would scan it whole for the stored event ids (and go on doing so as it grows).
    for (let run = 1; run <= 9; run++) await appendBatch(8);
    plans.length = 0;
    await appendBatch(8);
    const explainedPlans = plans.join('\n');
    expect(explainedPlans).toMatch(
      /(Index Scan using|Index Only Scan using|Bitmap Index Scan on) events_event_id_key\b/,
    );
    expect(explainedPlans).toMatch(/Index Scan Backward using events_stream_revision_key on events/);
    expect(explainedPlans).not.toMatch(/Seq Scan on events/);
  });
});
