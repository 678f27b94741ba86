import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { ChannelListeners } from './channel-listeners';
import { assertPlainIdentifier, quoteIdentifier } from './identifiers';
import { ConnectionQueue } from './priority';
import type { SqlClient, SqlExecutor } from './sql-client';

/**
 * Embedded PostgreSQL (WASM). One connection: every query and every transaction waits for the one
 * before it, so a query from outside never runs inside someone else's transaction. The order is ours
 * (ConnectionQueue), not PGlite's first-come order: an HTTP request's queries go before the
 * projections' and the dispatcher's, which would otherwise queue a burst of background statements
 * ahead of every command (docs/performance.md, "The embedded default under concurrent use").
 */
export async function createPgliteClient(
  dataDir: string,
  schema: string,
  /** A data directory to start from (a `dumpDataDir()` tarball) instead of running initdb. */
  loadDataDir?: Blob,
): Promise<SqlClient> {
  const db = new PGlite(dataDir, {
    parsers: { [types.INT8]: (value: string) => Number(value) },
    ...(loadDataDir ? { loadDataDir } : {}),
  });
  await db.waitReady;
  const quoted = quoteIdentifier(schema);
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${quoted}; SET search_path TO ${quoted};`);
  return new PgliteSqlClient(db, schema);
}

/** How long a burst of notifications is gathered before subscribers hear of it. */
const NOTIFY_GATHER_MS = 10;

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
  private readonly queue = new ConnectionQueue();
  private readonly unlistenByChannel = new Map<string, () => Promise<void>>();
  private readonly listeners = new ChannelListeners(
    async (channel) => {
      const unlisten = await this.db.listen(channel, (payload) => this.gather(channel, payload));
      this.unlistenByChannel.set(channel, unlisten);
    },
    async (channel) => {
      const unlisten = this.unlistenByChannel.get(channel);
      this.unlistenByChannel.delete(channel);
      if (unlisten && !this.db.closed) await unlisten();
    },
  );

  /** Notifications received and not yet passed on (see gather). */
  private gathered: [channel: string, payload: string][] = [];
  private gathering?: NodeJS.Timeout;

  constructor(
    private readonly db: PGlite,
    readonly schema: string,
  ) {
    this.executor = executorOver(db);
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return this.queue.run(() => this.executor.query<Row>(sql, params));
  }

  exec(sql: string): Promise<void> {
    return this.queue.run(() => this.executor.exec(sql));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.queue.run(() => this.db.transaction((tx) => work(executorOver(tx))));
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.listeners.add(assertPlainIdentifier(channel, 'channel name'), onNotify);
  }

  /**
   * Passes notifications on NOTIFY_GATHER_MS after the first of a burst, all together: every
   * subscriber (four projections, the dispatcher, the progress readers) then wakes once for the burst
   * and reads it in one batch, instead of once per append, each wake-up costing it several statements
   * on the one connection the commands need. Each notification is still delivered, in order.
   */
  private gather(channel: string, payload: string): void {
    this.gathered.push([channel, payload]);
    this.gathering ??= setTimeout(() => {
      const notifications = this.gathered;
      this.gathered = [];
      this.gathering = undefined;
      for (const [name, value] of notifications) this.listeners.dispatch(name, value);
    }, NOTIFY_GATHER_MS);
  }

  async close(): Promise<void> {
    clearTimeout(this.gathering);
    this.gathering = undefined;
    this.gathered = [];
    if (!this.db.closed) await this.db.close();
  }
}
