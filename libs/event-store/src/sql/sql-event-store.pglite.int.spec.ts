import { migrate } from '@passerelle/database';
import { createTestSqlClient } from '@passerelle/database/testing';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { eventStoreMigrations } from './migrations';
import { SqlEventStore } from './sql-event-store';

// A long safety poll: live delivery in the contract must come from notifications.
describeEventStoreContract('SQL adapter on PGlite', async () => {
  const { client, cleanup } = await createTestSqlClient('pglite', 'event_store');
  await migrate(client, eventStoreMigrations);
  const store = new SqlEventStore(client, { pollIntervalMs: 10_000 });
  return {
    store,
    async cleanup() {
      await store.close();
      await cleanup();
    },
  };
});
