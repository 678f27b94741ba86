import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { ChannelListeners } from './channel-listeners';
import { assertPlainIdentifier, quoteIdentifier } from './identifiers';
import type { SqlClient, SqlExecutor } from './sql-client';

/**
 * Embedded PostgreSQL (WASM). One connection: PGlite queues every query and every transaction
 * behind one another, so a query from outside never runs inside someone else's transaction.
 */
export async function createPgliteClient(dataDir: string, schema: string): Promise<SqlClient> {
  const db = new PGlite(dataDir, { parsers: { [types.INT8]: (value: string) => Number(value) } });
  await db.waitReady;
  const quoted = quoteIdentifier(schema);
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${quoted}; SET search_path TO ${quoted};`);
  return new PgliteSqlClient(db, schema);
}

type PgliteQueryable = Pick<PGlite | Transaction, 'query' | 'exec'>;

function executorOver(db: PgliteQueryable): SqlExecutor {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      return (await db.query<Row>(sql, [...params])).rows;
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
  };
}

class PgliteSqlClient implements SqlClient {
  readonly dialect = 'pglite' as const;
  private readonly executor: SqlExecutor;
  private readonly unlistenByChannel = new Map<string, () => Promise<void>>();
  private readonly listeners = new ChannelListeners(
    async (channel) => {
      const unlisten = await this.db.listen(channel, (payload) => this.listeners.dispatch(channel, payload));
      this.unlistenByChannel.set(channel, unlisten);
    },
    async (channel) => {
      const unlisten = this.unlistenByChannel.get(channel);
      this.unlistenByChannel.delete(channel);
      if (unlisten && !this.db.closed) await unlisten();
    },
  );

  constructor(
    private readonly db: PGlite,
    readonly schema: string,
  ) {
    this.executor = executorOver(db);
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return this.executor.query<Row>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.executor.exec(sql);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(executorOver(tx)));
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.listeners.add(assertPlainIdentifier(channel, 'channel name'), onNotify);
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}
