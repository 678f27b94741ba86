import {
  Client,
  Pool,
  types as pgTypes,
  type ClientConfig,
  type CustomTypesConfig,
  type PoolClient,
} from 'pg';
import { ChannelListeners } from './channel-listeners';
import { assertPlainIdentifier, quoteIdentifier } from './identifiers';
import type { SqlClient, SqlExecutor } from './sql-client';
import { asStoreUnavailable, SqlState, sqlStateOf, unavailabilityOf } from './sql-errors';

const INT8_OID = 20;

/** int8 (positions, revisions, counts) as JS numbers: event-store values stay far below 2^53. */
const int8AsNumber: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pgTypes.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

export interface PostgresClientOptions {
  databaseUrl: string;
  schema: string;
  maxConnections: number;
  /** How long opening a connection may take before the attempt fails (the server is unavailable). */
  connectTimeoutMs: number;
  /** How long one query may wait for its answer before it fails; undefined: no limit. */
  queryTimeoutMs?: number;
  /** A replica: the schema is not created. */
  readOnly?: boolean;
  /** `application_name` of the pool's connections (the LISTEN connection adds `:listen`). */
  applicationName: string;
}

export async function createPostgresClient(options: PostgresClientOptions): Promise<SqlClient> {
  const connection: ClientConfig = {
    connectionString: options.databaseUrl,
    types: int8AsNumber,
    // Set at connection start-up, so every pooled connection resolves names in the client's schema only.
    options: `-c search_path=${assertPlainIdentifier(options.schema, 'schema name')}`,
    connectionTimeoutMillis: options.connectTimeoutMs,
    // A server that vanished without closing the socket (a host lost) is noticed by TCP keep-alive.
    keepAlive: true,
    application_name: options.applicationName.slice(0, 63),
  };
  const pool = new Pool({
    ...connection,
    ...(options.queryTimeoutMs === undefined ? {} : { query_timeout: options.queryTimeoutMs }),
    max: options.maxConnections,
  });
  // An idle connection that dies (its server restarted, failed over or terminated it) is dropped by the
  // pool, and the next query opens a fresh one; without a listener the error would crash the process.
  pool.on('error', () => undefined);
  try {
    await pool.query(
      options.readOnly ? 'SELECT 1' : `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(options.schema)}`,
    );
  } catch (error) {
    // Two processes creating the schema at once: the loser sees a catalog unique violation.
    const state = sqlStateOf(error);
    if (state !== SqlState.uniqueViolation && state !== SqlState.duplicateSchema) {
      await pool.end();
      throw asStoreUnavailable(error);
    }
  }
  const listenConfig = { ...connection, application_name: `${options.applicationName}:listen`.slice(0, 63) };
  return new PostgresSqlClient(pool, new NotificationListener(listenConfig), options.schema);
}

/**
 * Runs the queries; an error meaning the database is unavailable comes out as StoreUnavailableError.
 * (A pooled connection whose query failed is destroyed by the pool rather than reused.)
 */
function executorOver(queryable: Pool | PoolClient): SqlExecutor {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      try {
        return (await queryable.query(sql, [...params])).rows as Row[];
      } catch (error) {
        throw asStoreUnavailable(error);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await queryable.query(sql);
      } catch (error) {
        throw asStoreUnavailable(error);
      }
    },
  };
}

class PostgresSqlClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  private readonly executor: SqlExecutor;
  private closing?: Promise<void>;

  constructor(
    private readonly pool: Pool,
    private readonly notifications: NotificationListener,
    readonly schema: string,
  ) {
    this.executor = executorOver(pool);
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return this.executor.query<Row>(sql, params);
  }

  exec(sql: string): Promise<void> {
    return this.executor.exec(sql);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let connection: PoolClient;
    try {
      connection = await this.pool.connect();
    } catch (error) {
      throw asStoreUnavailable(error);
    }
    // The pool stops listening to a connection's errors while it is checked out: one lost between two
    // statements (a failover) would be an unhandled 'error' event, ending the process. The statement that
    // follows fails instead, and the connection is destroyed below.
    const ignoreLoss = () => undefined;
    connection.on('error', ignoreLoss);
    const release = (error?: Error | boolean) => {
      connection.off('error', ignoreLoss);
      connection.release(error);
    };
    const executor = executorOver(connection);
    let result: T;
    try {
      await executor.exec('BEGIN');
      result = await work(executor);
      await executor.exec('COMMIT');
    } catch (error) {
      if (unavailabilityOf(error) !== undefined) {
        // The connection is dead, stuck or on a read-only server: a ROLLBACK could wait on it. Destroyed,
        // it rolls back on the server (if the server is still there) with its session.
        release(error instanceof Error ? error : true);
        throw asStoreUnavailable(error);
      }
      try {
        await connection.query('ROLLBACK');
        release();
      } catch (rollbackError) {
        // The connection is unusable: destroy it rather than hand it to the next caller.
        release(rollbackError as Error);
      }
      throw error;
    }
    release();
    return result;
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.notifications.listen(assertPlainIdentifier(channel, 'channel name'), onNotify);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.notifications.close();
      await this.pool.end();
    })();
    return this.closing;
  }
}

const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000, 5000];

/**
 * LISTEN needs a connection of its own, held for the client's lifetime. When it drops, it is
 * reopened (with back-off) and every channel listened to again. Notifications sent while it
 * was down are lost, so once listening again every listener is called with an empty payload: look
 * again (re-read positions), something may have happened meanwhile.
 */
class NotificationListener {
  private connecting?: Promise<Client>;
  private current?: Client;
  private reconnectTimer?: NodeJS.Timeout;
  private failedAttempts = 0;
  private closed = false;
  private readonly listeners = new ChannelListeners(
    async (channel) => {
      try {
        const client = await this.connected();
        await client.query(`LISTEN ${channel}`);
      } catch (error) {
        throw asStoreUnavailable(error);
      }
    },
    async (channel) => {
      if (this.current && !this.closed)
        await this.current.query(`UNLISTEN ${channel}`).catch(() => undefined);
    },
  );

  constructor(private readonly config: ClientConfig) {}

  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    if (this.closed) return Promise.reject(new Error('SQL client is closed'));
    return this.listeners.add(channel, onNotify);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => undefined);
    await this.drop();
  }

  private connected(): Promise<Client> {
    this.connecting ??= this.open();
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const client = new Client(this.config);
    client.on('notification', (message) => this.listeners.dispatch(message.channel, message.payload ?? ''));
    client.on('error', () => this.onConnectionLost(client));
    client.on('end', () => this.onConnectionLost(client));
    try {
      await client.connect();
    } catch (error) {
      this.connecting = undefined;
      throw error;
    }
    this.current = client;
    return client;
  }

  private async drop(): Promise<void> {
    const client = this.current;
    this.current = undefined;
    this.connecting = undefined;
    await client?.end().catch(() => undefined);
  }

  private onConnectionLost(client: Client): void {
    if (client !== this.current) return;
    void this.drop();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer || this.listeners.channels().length === 0) return;
    const delay = RECONNECT_DELAYS_MS[Math.min(this.failedAttempts, RECONNECT_DELAYS_MS.length - 1)];
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.reconnect();
    }, delay);
    this.reconnectTimer.unref();
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    try {
      const client = await this.connected();
      const channels = this.listeners.channels();
      for (const channel of channels) await client.query(`LISTEN ${channel}`);
      this.failedAttempts = 0;
      for (const channel of channels) this.listeners.dispatch(channel, '');
    } catch {
      this.failedAttempts += 1;
      await this.drop();
      this.scheduleReconnect();
    }
  }
}
