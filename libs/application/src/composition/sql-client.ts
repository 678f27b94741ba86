import type { AppConfig } from '@passerelle/config';
import { createSqlClient, migrate, type SqlClient, type SqlClientOptions } from '@passerelle/database';
import { eventStoreMigrations } from '@passerelle/event-store';
import { notificationMigrations } from '@passerelle/notifications';
import { privacyMigrations } from '@passerelle/privacy';
import { readModelMigrations } from '@passerelle/read-models';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CompositionLogger } from './logger';

/** How a process opens its SQL client beyond the configuration (pool size…). */
export type SqlClientTuning = Omit<SqlClientOptions, 'databaseUrl' | 'dataDir' | 'schema'>;

/**
 * PostgreSQL when DATABASE_URL is set, else PGlite in DATA_DIR/pglite; in DATABASE_SCHEMA either way.
 * Says which in one line when given a logger.
 */
export async function openSqlClient(
  config: AppConfig,
  tuning: SqlClientTuning = {},
  logger?: CompositionLogger,
): Promise<SqlClient> {
  if (config.databaseUrl) {
    const client = await createSqlClient({
      ...tuning,
      databaseUrl: config.databaseUrl,
      schema: config.databaseSchema,
    });
    logger?.log(`PostgreSQL, schema ${config.databaseSchema}`);
    return client;
  }
  const dataDir = join(config.dataDir, 'pglite');
  mkdirSync(dataDir, { recursive: true });
  const client = await createSqlClient({ ...tuning, dataDir, schema: config.databaseSchema });
  logger?.log(`embedded PGlite in ${dataDir}`);
  return client;
}

/**
 * Every table set of the schema, in order: the log, the keys, the read models' catalog, the
 * notifications. Each list is applied once per schema (see `migrate`); a process that starts
 * together with another waits for it. Returns the client, migrated.
 */
export async function migrateAll(client: SqlClient): Promise<SqlClient> {
  await migrate(client, [
    ...eventStoreMigrations,
    ...privacyMigrations,
    ...readModelMigrations,
    ...notificationMigrations,
  ]);
  return client;
}
