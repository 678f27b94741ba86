import { createTestSqlClient, TEST_DATABASE_URL, uniqueSchemaName, type TestSqlClient } from './testing';
import { createSqlClient } from './create-sql-client';
import type { SqlClient } from './sql-client';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Condition not met in time');
    await sleep(10);
  }
}

describe.each(['pglite', 'postgres'] as const)('SqlClient on %s', (dialect) => {
  let test: TestSqlClient;
  let client: SqlClient;

  beforeAll(async () => {
    test = await createTestSqlClient(dialect, 'sql_client');
    client = test.client;
    await client.exec(`
      CREATE TABLE items (id bigint PRIMARY KEY, label text NOT NULL, doc jsonb, at timestamptz);
      CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);
    `);
  }, 60_000);
  afterAll(() => test.cleanup(), 30_000);
  beforeEach(() => client.exec('TRUNCATE items, counters'));

  it('reports its dialect and schema, and creates tables in that schema', async () => {
    expect(client.dialect).toBe(dialect);
    const [row] = await client.query<{ schema: string; table_schema: string }>(
      `SELECT current_schema() AS schema,
              (SELECT table_schema FROM information_schema.tables WHERE table_name = 'items' AND table_schema = $1) AS table_schema`,
      [client.schema],
    );
    expect(row).toEqual({ schema: client.schema, table_schema: client.schema });
  });

  it('binds parameters and parses bigint as number, jsonb as objects, timestamptz as Date', async () => {
    const at = new Date('2025-03-01T10:00:00.000Z');
    await client.query('INSERT INTO items (id, label, doc, at) VALUES ($1, $2, $3::text::jsonb, $4)', [
      9_007_199_254_740_991,
      "l'été",
      JSON.stringify({ nested: { n: 1.5, list: [1, 'two'] } }),
      at,
    ]);
    const rows = await client.query('SELECT id, label, doc, at, count(*) OVER () AS total FROM items');
    expect(rows).toEqual([
      {
        id: 9_007_199_254_740_991,
        label: "l'été",
        doc: { nested: { n: 1.5, list: [1, 'two'] } },
        at,
        total: 1,
      },
    ]);
  });

  it('runs several statements with exec', async () => {
    await client.exec(
      `INSERT INTO items (id, label) VALUES (1, 'a'); INSERT INTO items (id, label) VALUES (2, 'b');`,
    );
    expect(await client.query('SELECT id FROM items ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('commits a transaction and returns its result', async () => {
    const result = await client.transaction(async (tx) => {
      await tx.query(`INSERT INTO items (id, label) VALUES (1, 'a')`);
      const [row] = await tx.query<{ n: number }>('SELECT count(*) AS n FROM items');
      return row.n;
    });
    expect(result).toBe(1);
    expect(await client.query('SELECT label FROM items')).toEqual([{ label: 'a' }]);
  });

  it('rolls a transaction back when its work throws, and a query from outside never sees inside it', async () => {
    let outside: Promise<unknown[]> | undefined;
    const failure = client.transaction(async (tx) => {
      await tx.query(`INSERT INTO items (id, label) VALUES (1, 'a')`);
      outside = client.query('SELECT id FROM items');
      await sleep(20);
      throw new Error('boom');
    });
    await expect(failure).rejects.toThrow('boom');
    expect(await outside).toEqual([]);
    expect(await client.query('SELECT id FROM items')).toEqual([]);
  });

  it('keeps concurrent transactions atomic', async () => {
    await client.query(`INSERT INTO counters VALUES ('c', 0)`);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        client.transaction(async (tx) => {
          const [row] = await tx.query<{ value: number }>(
            `SELECT value FROM counters WHERE name = 'c' FOR UPDATE`,
          );
          await tx.query(`UPDATE counters SET value = $1 WHERE name = 'c'`, [row.value + 1]);
        }),
      ),
    );
    expect(await client.query(`SELECT value FROM counters`)).toEqual([{ value: 20 }]);
  });

  it('delivers notifications of committed transactions only, to every listener until it stops', async () => {
    const first: string[] = [];
    const second: string[] = [];
    const stopFirst = await client.listen('test_channel', (payload) => first.push(payload));
    const stopSecond = await client.listen('test_channel', (payload) => second.push(payload));

    await client.transaction(async (tx) => {
      await tx.query(`SELECT pg_notify('test_channel', 'committed')`);
    });
    await expect(
      client.transaction(async (tx) => {
        await tx.query(`SELECT pg_notify('test_channel', 'rolled back')`);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await waitFor(() => first.length === 1 && second.length === 1);

    await stopFirst();
    await client.query(`SELECT pg_notify('test_channel', 'after stop')`);
    await waitFor(() => second.length === 2);
    await sleep(50);
    expect(first).toEqual(['committed']);
    expect(second).toEqual(['committed', 'after stop']);
    await stopSecond();
  });

  it('refuses a channel name that would need quoting', async () => {
    await expect(client.listen('bad; drop table items', () => undefined)).rejects.toThrow(
      /Invalid channel name/,
    );
  });
});

describe('SqlClient on postgres, connection handling', () => {
  it('sets the search_path of every pooled connection to its schema only', async () => {
    const test = await createTestSqlClient('postgres', 'search_path', { maxConnections: 5 });
    try {
      const paths = await Promise.all(
        Array.from({ length: 10 }, () =>
          test.client.transaction(async (tx) => {
            await tx.query('SELECT pg_sleep(0.02)');
            const [row] = await tx.query<{ search_path: string }>('SHOW search_path');
            return row.search_path;
          }),
        ),
      );
      expect(new Set(paths)).toEqual(new Set([test.client.schema]));
    } finally {
      await test.cleanup();
    }
  });

  it('keeps two schemas apart', async () => {
    const a = await createTestSqlClient('postgres', 'isolation_a');
    const b = await createTestSqlClient('postgres', 'isolation_b');
    try {
      await a.client.exec(`CREATE TABLE t (v text); INSERT INTO t VALUES ('a')`);
      await b.client.exec(`CREATE TABLE t (v text); INSERT INTO t VALUES ('b')`);
      expect(await a.client.query('SELECT v FROM t')).toEqual([{ v: 'a' }]);
      expect(await b.client.query('SELECT v FROM t')).toEqual([{ v: 'b' }]);
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });

  it('creates its schema when missing, also when several clients start at once', async () => {
    const schema = uniqueSchemaName('created');
    const clients = await Promise.all(
      Array.from({ length: 4 }, () => createSqlClient({ databaseUrl: TEST_DATABASE_URL, schema })),
    );
    try {
      const rows = await clients[0].query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      expect(rows).toHaveLength(1);
    } finally {
      await clients[0].exec(`DROP SCHEMA ${schema} CASCADE`);
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it('listens again after its connection is killed', async () => {
    const test = await createTestSqlClient('postgres', 'reconnect');
    const received: string[] = [];
    try {
      const stop = await test.client.listen('reconnect_channel', (payload) => received.push(payload));
      const applicationName = `passerelle:${test.client.schema}:listen`;
      const [killed] = await test.client.query<{ n: number }>(
        'SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      expect(killed.n).toBe(1);
      await waitFor(async () => {
        await test.client.query(`SELECT pg_notify('reconnect_channel', 'ping')`);
        await sleep(50);
        return received.includes('ping');
      });
      // Once listening again it said so first (an empty payload: look again), then the notification came.
      expect(received[0]).toBe('');
      await stop();
    } finally {
      await test.cleanup();
    }
  }, 20_000);

  it('refuses a schema name that would need quoting', async () => {
    await expect(createSqlClient({ databaseUrl: TEST_DATABASE_URL, schema: 'Bad-Name' })).rejects.toThrow(
      /Invalid schema name/,
    );
  });
});
