import { migrate, type SqlClient } from '@passerelle/database';
import { createTestSqlClient } from '@passerelle/database/testing';
import { randomUUID } from 'node:crypto';
import type { RecordedEvent, Subscription } from '../event-store.port';
import { eventStoreMigrations } from './migrations';
import { SqlEventStore } from './sql-event-store';

/** The client, counting the reads of the log its store sends (readAll: subscriptions and others). */
function counting(client: SqlClient): { client: SqlClient; reads: () => number } {
  let reads = 0;
  const wrapped: SqlClient = {
    dialect: client.dialect,
    schema: client.schema,
    query: (sql, params) => {
      if (/WHERE global_position > \$1/.test(sql)) reads += 1;
      return client.query(sql, params);
    },
    exec: (sql) => client.exec(sql),
    transaction: (work) => client.transaction(work),
    listen: (channel, onNotify) => client.listen(channel, onNotify),
    close: () => client.close(),
  };
  return { client: wrapped, reads: () => reads };
}

const newEvent = () => ({
  id: randomUUID(),
  type: 'Noted',
  version: 1,
  data: { n: 1 },
  metadata: { correlationId: randomUUID(), actor: { sub: 'tail', roles: ['member'] } },
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each(['pglite', 'postgres'] as const)(
  'subscriptions sharing the end of the log on %s',
  (dialect) => {
    let cleanup: () => Promise<void>;
    let store: SqlEventStore;
    /** Reads the log beside the store under test, so that its reads are not counted. */
    let observer: SqlEventStore;
    let reads: () => number;

    beforeAll(async () => {
      const test = await createTestSqlClient(dialect, 'log_tail');
      await migrate(test.client, eventStoreMigrations);
      const counted = counting(test.client);
      reads = counted.reads;
      // A small tail, so that a late subscriber starts behind it and reads on its own.
      store = new SqlEventStore(counted.client, { pollIntervalMs: 10_000, tailEvents: 40 });
      observer = new SqlEventStore(test.client);
      cleanup = async () => {
        await store.close();
        await observer.close();
        await test.cleanup();
      };
    });
    afterAll(() => cleanup());

    it('gives every subscriber every event once, in order, from fewer reads than batches delivered', async () => {
      const received: RecordedEvent[][] = [[], [], [], [], []];
      let batches = 0;
      const subscriptions: Subscription[] = received.map((events, index) =>
        store.subscribeToAll({ after: 0, batchSize: 7 + index * 5 }, async (batch) => {
          batches += 1;
          events.push(...batch);
          // Handlers of different speeds: the subscribers drift apart and meet again.
          if (index % 2 === 1) await new Promise((resolve) => setImmediate(resolve));
        }),
      );
      const readsBefore = reads();
      const streams = Array.from({ length: 6 }, () => `tail-${randomUUID()}`);
      await Promise.all(
        streams.map(async (streamId) => {
          for (let revision = 0; revision < 30; revision++) {
            await store.appendToStream(streamId, [newEvent()], revision === 0 ? 'no_stream' : revision - 1);
          }
        }),
      );
      // The store shows the settled prefix of the log only: a transaction open elsewhere on the server
      // (another spec's) holds it back a moment after these commits, so wait until all 180 show.
      let log: RecordedEvent[] = [];
      await until(async () => (log = await observer.readAll({ after: 0, maxCount: 1000 })).length === 180);
      const head = log.at(-1)!.position;
      await until(() => received.every((events) => events.at(-1)?.position === head));
      await Promise.all(subscriptions.map((subscription) => subscription.stop()));

      expect(await observer.readAll({ after: 0, maxCount: 1000 })).toEqual(log);
      for (const events of received) {
        expect(events.map((event) => event.id)).toEqual(log.map((event) => event.id));
      }
      // Apart, each batch delivered would have cost a read of its own, and each catch-up an empty one more.
      expect(reads() - readsBefore).toBeLessThan(batches);
    });

    it('lets a subscriber behind the kept events catch up on its own reads, every event once, in order', async () => {
      const live: RecordedEvent[] = [];
      const start = (await observer.readAll({ after: 0, maxCount: 1000 })).length;
      expect(start).toBe(180);
      const following = store.subscribeToAll(
        { after: await store.headPosition(), batchSize: 10 },
        async (b) => {
          live.push(...b);
        },
      );
      for (let n = 0; n < 50; n++)
        await store.appendToStream(`tail-${randomUUID()}`, [newEvent()], 'no_stream');
      // As above: wait until the 50 new events show in the settled prefix, then take its head.
      let shown: RecordedEvent[] = [];
      await until(
        async () => (shown = await observer.readAll({ after: 0, maxCount: 1000 })).length === start + 50,
      );
      const head = shown.at(-1)!.position;
      await until(() => live.at(-1)?.position === head);

      const late: RecordedEvent[] = [];
      const catchingUp = store.subscribeToAll({ after: 0, batchSize: 25 }, async (b) => {
        late.push(...b);
      });
      await until(() => late.at(-1)?.position === head);
      await Promise.all([following.stop(), catchingUp.stop()]);

      const log = await store.readAll({ after: 0, maxCount: 1000 });
      expect(late.map((event) => event.position)).toEqual(log.map((event) => event.position));
      expect(live.map((event) => event.position)).toEqual(log.slice(-50).map((event) => event.position));
    });
  },
);
