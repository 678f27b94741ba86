import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createSqlClient } from './create-sql-client';
import { quoteIdentifier } from './identifiers';
import type { SqlClient } from './sql-client';
import { StoreUnavailableError, unavailabilityOf } from './sql-errors';
import { TEST_DATABASE_URL, uniqueSchemaName } from './testing';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Condition not met in time');
    await sleep(20);
  }
}

/**
 * What the PostgreSQL client does when the server goes away under it, rehearsed on the ordinary server by
 * terminating this test's own backends (found by the unique application_name the client is given).
 */
describe('PostgreSQL client when the database goes away', () => {
  const schema = uniqueSchemaName('failover');
  const applicationName = `passerelle-test:${randomBytes(6).toString('hex')}`;
  let client: SqlClient;
  let admin: Client;

  /** Terminates this test's backends: the pool's, or the LISTEN connection's with `:listen`. */
  async function terminate(name: string): Promise<number> {
    const rows = await admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`,
      [name],
    );
    for (const { pid } of rows.rows) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    return rows.rows.length;
  }

  /**
   * A query as a client retries it: a connection terminated while idle fails the first statement sent on
   * it (StoreUnavailableError) if the pool had not noticed yet, and is dropped.
   */
  async function retrying<Row>(sql: string): Promise<Row[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await client.query<Row>(sql);
      } catch (error) {
        if (!(error instanceof StoreUnavailableError) || attempt === 10) throw error;
      }
    }
  }

  beforeAll(async () => {
    admin = new Client({ connectionString: TEST_DATABASE_URL, application_name: `${applicationName}:admin` });
    await admin.connect();
    client = await createSqlClient({ databaseUrl: TEST_DATABASE_URL, schema, applicationName });
    await client.exec('CREATE TABLE items (id bigint PRIMARY KEY)');
  }, 60_000);

  afterAll(async () => {
    await client?.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await client?.close();
    await admin?.end();
  }, 30_000);

  it('fails a query whose backend is terminated with StoreUnavailableError, then reconnects', async () => {
    const running = client.query('SELECT pg_sleep(30)');
    const outcome = running.then(
      () => 'answered',
      (error: unknown) => error,
    );
    await waitFor(async () => (await terminate(applicationName)) > 0);
    const error = await outcome;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).reason).toBe('SQLSTATE 57P01');
    // The pool dropped the dead connection: the next queries run on fresh ones.
    await expect(client.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it('reconnects after every idle connection of the pool was terminated', async () => {
    await Promise.all([1, 2, 3].map(() => client.query('SELECT pg_sleep(0.05)')));
    expect(await terminate(applicationName)).toBeGreaterThan(0);
    // Each dead idle connection is dropped when its error arrives; a query that raced it answers 503-worthy.
    const answers = await Promise.allSettled([1, 2, 3].map(() => client.query('SELECT 1 AS one')));
    for (const answer of answers) {
      if (answer.status === 'rejected') expect(answer.reason).toBeInstanceOf(StoreUnavailableError);
    }
    await expect(retrying('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it('fails a transaction whose backend is terminated, and the next transaction commits', async () => {
    const attempt = client.transaction(async (tx) => {
      await tx.query('INSERT INTO items (id) VALUES (1)');
      await terminate(applicationName);
      await tx.query('INSERT INTO items (id) VALUES (2)');
    });
    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await retrying('SELECT id FROM items')).toEqual([]);
    await retrying('INSERT INTO items (id) VALUES (3)');
    expect(await retrying('SELECT id FROM items')).toEqual([{ id: 3 }]);
  });

  it('survives a connection lost between two statements of a transaction (no unhandled error event)', async () => {
    const attempt = client.transaction(async (tx) => {
      await tx.query('INSERT INTO items (id) VALUES (5)');
      await terminate(applicationName);
      // The loss arrives while no statement runs: the connection is checked out, not idle in the pool.
      await sleep(500);
      await tx.query('INSERT INTO items (id) VALUES (6)');
    });
    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await retrying('SELECT id FROM items WHERE id IN (5, 6)')).toEqual([]);
  });

  it('treats a write refused as read-only (25006) as unavailable, and other errors as they are', async () => {
    await retrying('SELECT 1');
    const readOnly = () =>
      client.transaction(async (tx) => {
        await tx.exec('SET TRANSACTION READ ONLY');
        await tx.query('INSERT INTO items (id) VALUES (4)');
      });
    let error = await readOnly().catch((caught: unknown) => caught);
    // A connection terminated by an earlier test and not yet dropped answers 57P01 first: once more.
    for (
      let attempt = 0;
      (error as StoreUnavailableError).reason === 'SQLSTATE 57P01' && attempt < 10;
      attempt++
    )
      error = await readOnly().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).reason).toBe('SQLSTATE 25006');
    // A duplicate key is the caller's business, not the database's absence.
    const duplicate = await client
      .query('INSERT INTO items (id) VALUES (3)')
      .catch((caught: unknown) => caught);
    expect(duplicate).not.toBeInstanceOf(StoreUnavailableError);
    expect(unavailabilityOf(duplicate)).toBeUndefined();
    expect((duplicate as { code?: string }).code).toBe('23505');
  });

  it('listens again after its LISTEN connection is terminated, says so, and sees later notifications', async () => {
    const received: string[] = [];
    const unlisten = await client.listen('failover_channel', (payload) => received.push(payload));
    try {
      expect(await terminate(`${applicationName}:listen`)).toBe(1);
      // Back: every listener is told to look again (an empty payload) once the channel is listened to.
      await waitFor(() => received.includes(''));
      await client.query(`SELECT pg_notify('failover_channel', 'after')`);
      await waitFor(() => received.includes('after'));
    } finally {
      await unlisten();
    }
  });

  it('refuses to open on a server that is not there with StoreUnavailableError', async () => {
    const closed = TEST_DATABASE_URL.replace(/:(\d+)\//, ':1/');
    const error = await createSqlClient({ databaseUrl: closed, schema }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).reason).toBe('ECONNREFUSED');
  });
});
