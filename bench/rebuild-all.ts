/**
 * Every read model rebuilt one after the other (four reads of the log, as `npm run rebuild -- all` and
 * `npm run copy-log` did) against all of them from one read (rebuildProjections), in turns on the same
 * log, on PostgreSQL and on PGlite. Prints each round's seconds and the ratio of the medians.
 *
 *   npx tsx bench/rebuild-all.ts [--events 100000] [--rounds 3] [--engines postgres,pglite]
 *
 * PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of its
 * own dropped at the end; PGlite in a scratch directory.
 */
import 'reflect-metadata';
import { createSqlClient, migrate, type SqlClient } from '@passerelle/database';
import { eventStoreMigrations, SqlEventStore } from '@passerelle/event-store';
import { READ_MODEL_PROJECTIONS, rebuildProjection, rebuildProjections } from '@passerelle/read-models';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { organizationAppends, partnershipAppend } from './lib/domain-log';
import { closedLoop } from './lib/load';
import { benchName } from './lib/postgres';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    engines: { type: 'string', default: 'postgres,pglite' },
  },
});
const events = Number(values.events);
const rounds = Number(values.rounds);
const batchSize = 2000; // as npm run copy-log prepares a target

async function fill(store: SqlEventStore): Promise<number> {
  for (const { streamId, events: batch } of organizationAppends()) {
    await store.appendToStream(streamId, batch, 'no_stream');
  }
  const partnerships = Math.ceil(events / partnershipAppend(0).events.length);
  await closedLoop(8, partnerships, async (n) => {
    const { streamId, events: batch } = partnershipAppend(n);
    await store.appendToStream(streamId, batch, 'no_stream');
  });
  return store.headPosition();
}

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

async function measure(engine: string, client: SqlClient): Promise<void> {
  await migrate(client, eventStoreMigrations);
  const store = new SqlEventStore(client);
  try {
    const head = await fill(store);
    console.log(`${engine}: ${head.toLocaleString('en-US')} events`);
    const oneByOne: number[] = [];
    const together: number[] = [];
    const ways = [
      {
        name: 'one after the other',
        seconds: oneByOne,
        run: async () => {
          for (const projection of READ_MODEL_PROJECTIONS) {
            await rebuildProjection({ client, store, projection, batchSize });
          }
        },
      },
      {
        name: 'from one read',
        seconds: together,
        run: () => rebuildProjections({ client, store, projections: READ_MODEL_PROJECTIONS, batchSize }),
      },
    ];
    for (let round = 1; round <= rounds; round++) {
      for (const way of round % 2 === 1 ? ways : [...ways].reverse()) {
        const started = performance.now();
        await way.run();
        const seconds = (performance.now() - started) / 1000;
        way.seconds.push(seconds);
        console.log(`  round ${round} ${way.name.padEnd(20)} ${seconds.toFixed(1)} s`);
      }
    }
    console.log(
      `${engine}: from one read ${median(together).toFixed(1)} s against ${median(oneByOne).toFixed(1)} s ` +
        `one after the other (medians): ${(median(together) / median(oneByOne)).toFixed(2)}×`,
    );
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const engines = values.engines.split(',');
  if (engines.includes('postgres')) {
    const schema = benchName('rebuild_all');
    const client = await createSqlClient({
      databaseUrl: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      schema,
      maxConnections: 4,
    });
    try {
      await measure('PostgreSQL', client);
    } finally {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.close();
    }
  }
  if (engines.includes('pglite')) {
    const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-rebuild-all-'));
    const client = await createSqlClient({ dataDir, schema: 'public' });
    try {
      await measure('PGlite', client);
    } finally {
      await client.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
