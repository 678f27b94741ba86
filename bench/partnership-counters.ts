/**
 * What the dashboards' counters cost the partnerships projection: a walk of the test world applied batch by
 * batch to the projection's tables with their counting triggers and to the same tables without them, in
 * turns (same load), three rounds; prints both times and their ratio.
 *
 *   npx tsx bench/partnership-counters.ts [walk steps, 20000] [events per batch, 1000]
 *
 * PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of its own
 * dropped at the end.
 */
import { createSqlClient, migrate } from '@passerelle/database';
import { eventStoreMigrations, SqlEventStore } from '@passerelle/event-store';
import { partnershipsProjection } from '@passerelle/read-models';
import { applyBatch, createTables, readModelMigrations } from '@passerelle/read-models/runner/catalog';
import {
  tableNamesFor,
  type AnyProjection,
  type TableNames,
} from '@passerelle/read-models/runner/projection';
import { walk, World } from '@passerelle/read-models/testing/world';
import { benchName } from './lib/postgres';

async function main() {
  const client = await createSqlClient({
    databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    schema: benchName('trigcost'),
    maxConnections: 2,
  });
  try {
    await migrate(client, eventStoreMigrations);
    await migrate(client, readModelMigrations);
    const store = new SqlEventStore(client, { pollIntervalMs: 200 });
    const world = new World(store);
    await world.registerOrganizations();
    await world.run(walk(Number(process.argv[2] ?? 20000), 31));
    const events = await store.readAll({ after: 0, maxCount: 1_000_000 });
    const plain: AnyProjection = {
      ...partnershipsProjection,
      migrations: (t) => partnershipsProjection.migrations(t).filter((sql) => !/CREATE TRIGGER/.test(sql)),
    };
    const projections: Record<'counted' | 'plain', AnyProjection> = {
      counted: partnershipsProjection,
      plain,
    };
    const ms = { counted: 0, plain: 0 };
    const batch = Number(process.argv[3] ?? 1000);
    for (let round = 0; round < 3; round++) {
      const tables: Record<'counted' | 'plain', TableNames> = {
        counted: tableNamesFor(partnershipsProjection, `c${round}`),
        plain: tableNamesFor(plain, `p${round}`),
      };
      await createTables(client, partnershipsProjection, tables.counted);
      await createTables(client, plain, tables.plain);
      for (let i = 0; i < events.length; i += batch) {
        const slice = events.slice(i, i + batch);
        const after = i === 0 ? 0 : events[i - 1]!.position;
        const order: ('counted' | 'plain')[] = round % 2 ? ['plain', 'counted'] : ['counted', 'plain'];
        for (const kind of order) {
          const t = performance.now();
          await client.transaction((tx) => applyBatch(tx, projections[kind], tables[kind], slice, after));
          ms[kind] += performance.now() - t;
        }
      }
    }
    console.log(
      `${events.length} events × 3 rounds, batches of ${batch}: counted ${ms.counted.toFixed(0)} ms, plain ${ms.plain.toFixed(0)} ms, ratio ${(ms.counted / ms.plain).toFixed(2)}×`,
    );
    await store.close();
  } finally {
    await client.exec(`DROP SCHEMA IF EXISTS ${client.schema} CASCADE`);
    await client.close();
  }
}
main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
