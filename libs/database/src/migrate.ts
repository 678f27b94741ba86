import { createHash } from 'node:crypto';
import type { SqlClient } from './sql-client';

export interface Migration {
  /** Unique across every migration list sharing the schema, e.g. `event-store/0001-events`. */
  id: string;
  sql: string;
}

export class MigrationChangedError extends Error {
  readonly code = 'migration_changed';
  constructor(readonly migrationId: string) {
    super(`Migration ${migrationId} was changed after it was applied; add a new migration instead`);
  }
}

const checksumOf = (sql: string): string => createHash('sha256').update(sql).digest('hex');

/**
 * Applies, in order, the migrations not yet recorded in `schema_migrations`, each in its own
 * transaction. Every transaction first takes an advisory lock keyed on the schema, so processes
 * starting together apply each migration once: the others wait, then find it recorded.
 * Returns the ids applied by this call.
 */
export async function migrate(client: SqlClient, migrations: readonly Migration[]): Promise<string[]> {
  const ids = new Set<string>();
  for (const { id } of migrations) {
    if (ids.has(id)) throw new Error(`Migration id ${id} appears twice`);
    ids.add(id);
  }
  const applied: string[] = [];
  for (const migration of migrations) {
    const checksum = checksumOf(migration.sql);
    const ran = await client.transaction(async (tx) => {
      await tx.query(
        `SELECT pg_advisory_xact_lock(hashtextextended('passerelle.migrate.' || current_schema(), 0))`,
      );
      await tx.exec(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           id text PRIMARY KEY,
           checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const [recorded] = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE id = $1',
        [migration.id],
      );
      if (recorded) {
        if (recorded.checksum !== checksum) throw new MigrationChangedError(migration.id);
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [
        migration.id,
        checksum,
      ]);
      return true;
    });
    if (ran) applied.push(migration.id);
  }
  return applied;
}
