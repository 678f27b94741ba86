/**
 * What the dashboards' counters cost the partnerships projection: a walk of the test world applied batch by
 * batch to the projection's tables with all their triggers (the counters and the stages' days), with the
 * counters' only, and without any, in turns (same load), three rounds; prints the times and their ratios.
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

/** Every trigger (counters and stages' days), the counters' only, none. */
const KINDS = ['all', 'counted', 'plain'] as const;
type Kind = (typeof KINDS)[number];

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
    const without = (triggers: RegExp): AnyProjection => ({
      ...partnershipsProjection,
      migrations: (t) => partnershipsProjection.migrations(t).filter((sql) => !triggers.test(sql)),
    });
    const projections: Record<Kind, AnyProjection> = {
      all: partnershipsProjection,
      counted: without(/CREATE TRIGGER \w+_dated_/),
      plain: without(/CREATE TRIGGER/),
    };
    const ms: Record<Kind, number> = { all: 0, counted: 0, plain: 0 };
    const batch = Number(process.argv[3] ?? 1000);
    for (let round = 0; round < 3; round++) {
      const tables = Object.fromEntries(
        KINDS.map((kind) => [kind, tableNamesFor(partnershipsProjection, `${kind[0]}${round}`)]),
      ) as Record<Kind, TableNames>;
      for (const kind of KINDS) await createTables(client, projections[kind], tables[kind]);
      for (let i = 0; i < events.length; i += batch) {
        const slice = events.slice(i, i + batch);
        const after = i === 0 ? 0 : events[i - 1]!.position;
        // Each round starts from another kind, so that none is always first after the others.
        const order = KINDS.map((_, k) => KINDS[(k + round) % KINDS.length]!);
        for (const kind of order) {
          const t = performance.now();
          await client.transaction((tx) => applyBatch(tx, projections[kind], tables[kind], slice, after));
          ms[kind] += performance.now() - t;
        }
      }
    }
    const ratio = (a: Kind, b: Kind) => `${a} ÷ ${b} ${(ms[a] / ms[b]).toFixed(2)}×`;
    console.log(
      `${events.length} events × 3 rounds, batches of ${batch}: ` +
        `${KINDS.map((kind) => `${kind} ${ms[kind].toFixed(0)} ms`).join(', ')}; ` +
        `${ratio('all', 'plain')}, ${ratio('counted', 'plain')}, ${ratio('all', 'counted')}`,
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
