import { randomBytes } from 'node:crypto';
import { createSqlClient } from '../create-sql-client';
import { quoteIdentifier } from '../identifiers';
import type { SqlClient } from '../sql-client';

/** The PostgreSQL the integration tests run against. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other test file uses: `<prefix>_<random>`. */
export function uniqueSchemaName(prefix: string): string {
  const safePrefix = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
  return `${safePrefix}_${randomBytes(6).toString('hex')}`;
}

export interface TestSqlClient {
  client: SqlClient;
  /** Drops the schema (PostgreSQL) and closes the client. */
  cleanup(): Promise<void>;
}

/** A client on a fresh schema: PostgreSQL at TEST_DATABASE_URL, or an in-memory PGlite. */
export async function createTestSqlClient(
  dialect: SqlClient['dialect'],
  prefix: string,
  options: { maxConnections?: number } = {},
): Promise<TestSqlClient> {
  const schema = uniqueSchemaName(prefix);
  const client = await createSqlClient(
    dialect === 'postgres'
      ? { databaseUrl: TEST_DATABASE_URL, schema, ...options }
      : { dataDir: 'memory://', schema },
  );
  return {
    client,
    async cleanup() {
      try {
        if (dialect === 'postgres')
          await client.exec(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
      } finally {
        await client.close();
      }
    },
  };
}
