/**
 * The one way the rest of the code talks SQL. Two adapters serve it: PGlite (embedded, in DATA_DIR)
 * and PostgreSQL (node-postgres pool). Both speak the same dialect, so every query is written once.
 */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlClient extends SqlExecutor {
  readonly dialect: 'postgres' | 'pglite';
  /** The schema every table of this client lives in (tests isolate themselves with their own). */
  readonly schema: string;
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * LISTEN on a channel; resolves once listening. Returns a function that stops listening. When the
   * listening connection was lost and is back, `onNotify` is called with an empty payload: notifications
   * may have been missed, so whoever waits looks again.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface SqlClientOptions {
  /** postgres://… for PostgreSQL; absent for PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; `memory://` for an in-memory database. */
  dataDir?: string;
  /** Schema for all tables; default `public`. */
  schema?: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /** PostgreSQL: how long opening a connection may take (default 5 s); then the database is unavailable. */
  connectTimeoutMs?: number;
  /** PostgreSQL: how long a query may wait for its answer (default: no limit). */
  queryTimeoutMs?: number;
  /** PostgreSQL: a replica, only read: the schema is not created (it comes from the primary). */
  readOnly?: boolean;
  /** PostgreSQL: `application_name` of the connections (default `passerelle:<schema>`). */
  applicationName?: string;
}
