import { assertPlainIdentifier } from './identifiers';
import { createPgliteClient } from './pglite-client';
import { createPostgresClient } from './postgres-client';
import type { SqlClient, SqlClientOptions } from './sql-client';

const DEFAULT_MAX_CONNECTIONS = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/**
 * PostgreSQL when `databaseUrl` is set, otherwise PGlite in `dataDir` (in memory by default).
 * The schema is created if missing and is the only schema unqualified names resolve to.
 */
export async function createSqlClient(options: SqlClientOptions = {}): Promise<SqlClient> {
  const schema = assertPlainIdentifier(options.schema ?? 'public', 'schema name');
  if (options.databaseUrl) {
    return createPostgresClient({
      databaseUrl: options.databaseUrl,
      schema,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: options.queryTimeoutMs,
      readOnly: options.readOnly ?? false,
      applicationName: options.applicationName ?? `passerelle:${schema}`,
    });
  }
  return createPgliteClient(options.dataDir ?? 'memory://', schema);
}
