/**
 * The read side's queries as the log grows, without the HTTP stack: the pipeline (plain, over a period,
 * scoped to a party), the matrix, the activity feed (first page and a page deep in the log),
 * `PartnershipsQuery.get` and the partnership list, each timed alone on read models of two sizes, in
 * turns (one sample of each query on each size per turn), so both sizes see the same load.
 *
 * The read models are the domain's own: a walk of the test world is appended and projected, then its
 * partnerships (with their activity and agenda) are copied under new ids and positions until there are
 * `--small` and `--large` partnerships (the growth suite's 10k-event log holds about 300, its 1M-event
 * log about 62,000; each partnership brings its activity rows along, so the feed grows in proportion).
 *
 *   npx tsx bench/dashboards.ts [--small 300] [--large 62000] [--samples 40] [--explain]
 *
 * --explain prints EXPLAIN (ANALYZE, BUFFERS) of every statement the queries send, on the large models.
 * PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in schemas of its
 * own dropped at the end.
 */
import { parseArgs } from 'node:util';
import { createSqlClient, migrate, type SqlClient, type SqlExecutor } from '@passerelle/database';
import { eventStoreMigrations, LocalLocks, SqlEventStore } from '@passerelle/event-store';
import {
  DashboardQuery,
  PartnershipsQuery,
  ProjectionRunner,
  READ_MODEL_PROJECTIONS,
} from '@passerelle/read-models';
import { walk, World } from '@passerelle/read-models/testing/world';
import { benchName } from './lib/postgres';
import { percentile } from './lib/stats';

const { values } = parseArgs({
  options: {
    small: { type: 'string', default: '300' },
    large: { type: 'string', default: '62000' },
    samples: { type: 'string', default: '40' },
    explain: { type: 'boolean', default: false },
  },
});
const ACTIVITY_PER_PARTNERSHIP = 16;
const URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A walk of the test world, projected: the partnerships every copy is made from. */
async function seed(client: SqlClient): Promise<void> {
  await migrate(client, eventStoreMigrations);
  const store = new SqlEventStore(client, { pollIntervalMs: 200 });
  const world = new World(store);
  await world.registerOrganizations();
  await world.run(walk(700, 31));
  const runner = new ProjectionRunner({
    client,
    store,
    projections: READ_MODEL_PROJECTIONS,
    locks: new LocalLocks(),
    logger: { log: () => undefined, warn: () => undefined, error: (m) => console.error(m) },
  });
  await runner.start();
  if (!(await runner.waitForPosition(world.lastPosition, 120_000))) throw new Error('projections behind');
  await runner.stop();
  await store.close();
}

/** Copies of every partnership (state, activity, agenda) under new ids and positions, `copies` times. */
async function grow(client: SqlClient, partnerships: number): Promise<void> {
  const [{ base }] = (await client.query<{ base: number }>(
    'SELECT count(*)::integer AS base FROM rm_partnerships',
  )) as [{ base: number }];
  const copies = Math.max(0, Math.ceil(partnerships / base) - 1);
  const newId = (column: string) => `md5(${column}::text || '/' || g)::uuid`;
  await client.exec(`
    CREATE TEMP TABLE span AS SELECT max(position) + 1 AS span FROM rm_activity;
    INSERT INTO rm_partnerships
      SELECT ${newId('id')}, title || ' (' || g || ')', stage, lifecycle_stage, status, parties, sectors, axes,
             revision, position, created_at + g * interval '1 minute', updated_at + g * interval '1 minute',
             stage_reached_on, jsonb_set(state, '{id}', to_jsonb(${newId('id')}::text))
        FROM rm_partnerships, generate_series(1, ${copies}) AS g;
    INSERT INTO rm_activity
      SELECT position + g * (SELECT span FROM span), gen_random_uuid(),
             CASE WHEN partnership_id IS NULL THEN stream_id ELSE 'partnership-' || ${newId('partnership_id')} END,
             type, CASE WHEN partnership_id IS NULL THEN NULL ELSE ${newId('partnership_id')} END, organization_id,
             occurred_at, recorded_at, actor_name, facts
        FROM rm_activity, generate_series(1, ${copies}) AS g;
    INSERT INTO rm_partnership_agenda
      SELECT ${newId('partnership_id')}, kind, item_id, document, organization_id, title, due_at, ends_at, details
        FROM rm_partnership_agenda, generate_series(1, ${copies}) AS g;
    DROP TABLE span;
  `);
  // The growth suite's partnerships have sixteen events each (the walk's fewer): the feed repeated to match.
  const [{ rows, span }] = (await client.query<{ rows: number; span: number }>(
    'SELECT count(*)::integer AS rows, (max(position) + 1)::bigint AS span FROM rm_activity',
  )) as [{ rows: number; span: number }];
  const repeats = Math.max(0, Math.ceil((ACTIVITY_PER_PARTNERSHIP * base * (copies + 1)) / rows) - 1);
  await client.exec(`
    INSERT INTO rm_activity
      SELECT position + g * ${Number(span)}, gen_random_uuid(), stream_id, type, partnership_id, organization_id,
             occurred_at, recorded_at, actor_name, facts
        FROM rm_activity, generate_series(1, ${repeats}) AS g`);
  for (const table of ['partnerships', 'activity', 'partnership_agenda', 'organizations']) {
    const [{ physical }] = (await client.query<{ physical: string }>(
      `SELECT 'rm_${table}_g' || generation AS physical FROM projection_checkpoints WHERE name = $1`,
      [table === 'partnership_agenda' ? 'partnerships' : table],
    )) as [{ physical: string }];
    await client.exec(`VACUUM ANALYZE ${physical}`);
  }
}

/** Every statement a query sends, to explain afterwards. */
class Recorder implements SqlExecutor {
  readonly statements: { sql: string; params: readonly unknown[] }[] = [];
  constructor(private readonly db: SqlExecutor) {}
  query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    this.statements.push({ sql, params: [...params] }); // a copy: the caller may add to its array afterwards
    return this.db.query<Row>(sql, params);
  }
  exec(sql: string): Promise<void> {
    return this.db.exec(sql);
  }
}

type Queries = Record<string, (db: SqlExecutor) => Promise<unknown>>;

async function queriesFor(client: SqlClient): Promise<Queries> {
  const ids = await client.query<{ id: string; organization: string }>(
    `SELECT id, parties[1] AS organization FROM rm_partnerships ORDER BY id LIMIT 50`,
  );
  const [{ middle }] = (await client.query<{ middle: number }>(
    'SELECT (max(position) / 2)::bigint AS middle FROM rm_activity',
  )) as [{ middle: number }];
  let next = 0;
  const id = () => ids[next++ % ids.length]!.id;
  return {
    pipeline: (db) => new DashboardQuery(db).pipeline(),
    'pipeline-period': (db) => new DashboardQuery(db).pipeline({}, { from: '2024-01-01', to: '2024-06-30' }),
    'pipeline-party': (db) => new DashboardQuery(db).pipeline({ organizationId: ids[0]!.organization }),
    matrix: (db) => new DashboardQuery(db).matrix(),
    activity: (db) => new DashboardQuery(db).activity({}),
    'activity-deep': (db) => new DashboardQuery(db).activity({ before: Number(middle) }),
    'activity-partnership': (db) => new DashboardQuery(db).activity({ partnershipId: id() }),
    'read-partnership': (db) => new PartnershipsQuery(db).get(id()),
    'list-partnerships': (db) => new PartnershipsQuery(db).list({}),
    'list-by-party': (db) => new PartnershipsQuery(db).list({ organizationId: ids[0]!.organization }),
  };
}

async function main(): Promise<void> {
  const sizes = [Number(values.small), Number(values.large)];
  const samples = Number(values.samples);
  const clients: SqlClient[] = [];
  try {
    for (const size of sizes) {
      const client = await createSqlClient({
        databaseUrl: URL,
        schema: benchName('dashboards'),
        maxConnections: 2,
      });
      clients.push(client);
      const t0 = performance.now();
      await seed(client);
      await grow(client, size);
      const [{ partnerships, activity }] = (await client.query<{ partnerships: number; activity: number }>(
        `SELECT (SELECT count(*)::integer FROM rm_partnerships) AS partnerships,
                (SELECT count(*)::integer FROM rm_activity) AS activity`,
      )) as [{ partnerships: number; activity: number }];
      console.log(
        `${client.schema}: ${partnerships.toLocaleString('en-US')} partnerships, ${activity.toLocaleString('en-US')} activity rows ` +
          `(filled in ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
    const queries = await Promise.all(clients.map(queriesFor));
    const names = Object.keys(queries[0]!);
    const latencies = clients.map(() => Object.fromEntries(names.map((name) => [name, [] as number[]])));
    for (let turn = -2; turn < samples; turn++) {
      for (const name of names) {
        for (let s = 0; s < clients.length; s++) {
          const t = performance.now();
          await queries[s]![name]!(clients[s]!);
          if (turn >= 0) latencies[s]![name]!.push(performance.now() - t); // two turns of warm-up
        }
      }
    }
    const ms = (value: number) => value.toFixed(1).padStart(8);
    console.log(
      `\n${'ms'.padEnd(22)}${`${sizes[0]} p50`.padStart(12)}${'p99'.padStart(9)}${`${sizes[1]} p50`.padStart(12)}${'p99'.padStart(9)}  p99 ratio`,
    );
    for (const name of names) {
      const [small, large] = latencies.map((byName) => Float64Array.from(byName[name]!).sort());
      const [p50s, p99s, p50l, p99l] = [
        percentile(small!, 50),
        percentile(small!, 99),
        percentile(large!, 50),
        percentile(large!, 99),
      ];
      console.log(
        `${name.padEnd(22)}${ms(p50s).padStart(12)}${ms(p99s)}${ms(p50l).padStart(12)}${ms(p99l)}  ${(p99l / p99s).toFixed(2)}×`,
      );
    }
    if (values.explain) {
      const large = clients[clients.length - 1]!;
      for (const name of names) {
        const recorder = new Recorder(large);
        await queries[queries.length - 1]![name]!(recorder);
        for (const { sql, params } of recorder.statements) {
          const plan = await large.query<{ 'QUERY PLAN': string }>(
            `EXPLAIN (ANALYZE, BUFFERS) ${sql}`,
            params,
          );
          console.log(`\n--- ${name}\n${sql}\n${plan.map((row) => row['QUERY PLAN']).join('\n')}`);
        }
      }
    }
  } finally {
    for (const client of clients) {
      await client.exec(`DROP SCHEMA IF EXISTS ${client.schema} CASCADE`);
      await client.close();
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
