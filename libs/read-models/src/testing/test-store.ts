import { migrate, SqlClient } from '@passerelle/database';
import { createTestSqlClient } from '@passerelle/database/testing';
import type { EventStore } from '@passerelle/event-store';
import { eventStoreMigrations, SqlEventStore } from '@passerelle/event-store';

export const DIALECTS = ['pglite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

export interface TestStore {
  client: SqlClient;
  store: EventStore;
  cleanup(): Promise<void>;
}

/** An event store on a schema of its own (PostgreSQL) or an in-memory PGlite; cleanup drops it. */
export async function openTestStore(dialect: Dialect, prefix: string): Promise<TestStore> {
  const { client, cleanup } = await createTestSqlClient(dialect, prefix);
  await migrate(client, eventStoreMigrations);
  const store = new SqlEventStore(client, { pollIntervalMs: 200 });
  return {
    client,
    store,
    async cleanup() {
      await store.close();
      await cleanup();
    },
  };
}
