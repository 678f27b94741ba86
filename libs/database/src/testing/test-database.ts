import { PGlite } from '@electric-sql/pglite';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createSqlClient } from '../create-sql-client';
import { quoteIdentifier } from '../identifiers';
import { createPgliteClient } from '../pglite-client';
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
  const client =
    dialect === 'postgres'
      ? await createSqlClient({ databaseUrl: TEST_DATABASE_URL, schema, ...options })
      : await createPgliteClient('memory://', schema, await freshPgliteDataDir());
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

let tarball: Promise<string> | undefined;

/**
 * A tarball of the data directory of a PGlite just initialised, the same for every test database: a new
 * PGlite runs initdb (about 2.8 s of CPU on the CI machine), one started from this copy opens in about
 * 0.6–1 s. Made once per PGlite version and kept in the temporary directory for every test file and worker.
 */
export function freshPgliteTarball(): Promise<string> {
  tarball ??= (async () => {
    const version = (
      JSON.parse(
        readFileSync(join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8'),
      ) as { version: string }
    ).version;
    const path = join(tmpdir(), `passerelle-pglite-initdb-${version}.tar`);
    if (!existsSync(path)) {
      const db = new PGlite('memory://');
      await db.waitReady;
      const dump = await db.dumpDataDir('none');
      await db.close();
      // Written aside and renamed: a worker reading it meanwhile never sees half a file.
      const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
      renameSync(partial, path);
    }
    return path;
  })();
  return tarball;
}

async function freshPgliteDataDir(): Promise<Blob> {
  return new Blob([readFileSync(await freshPgliteTarball())]);
}
