/**
 * Copies the whole event log between deployments, keeping ids, order, revisions and metadata, then the
 * tables that make it readable and verifiable there (person_keys, forgotten_subjects, data_key_check,
 * signed_heads). Resumable: the position reached is saved after every batch and a rerun continues from
 * it; the tables are copied again whole, keeping the rows the target already has.
 *
 *   npm run copy-log -- --from pglite:./data/pglite --to postgres://user@host/db [--to-schema public]
 *   npm run copy-log -- --from postgres://… --to esdb://host:2113?tls=false --to-database postgres://…
 *
 * Ends: `pglite:<dir>`, `postgres://…` (with --from-schema/--to-schema), `esdb://…` / `esdb+discover://…`.
 * An EventStoreDB deployment keeps the privacy tables in its SQL database: name it with --from-database
 * or --to-database (its DATABASE_URL, or pglite:<DATA_DIR>/pglite; same schema options), else they are
 * not copied and the command says so. From SQL to SQL every event keeps its position.
 * Personal data stays encrypted as stored: the copy moves ciphertext and wrapped keys, never plaintext.
 *
 * Then the target is made ready for the service's first start (decision 0025, a copied log): its read models are built
 * by the rebuild, and its e-mail dispatcher starts at the copied head with the timers still to come (no
 * message of the copied history is sent again). `--log-only` leaves both to the service. The target's
 * SQL database is needed for this (an EventStoreDB target: --to-database).
 */
import { openEsdbEventStore, prepareCopiedLog } from '@passerelle/application/composition';
import { createSqlClient, migrate, SqlClient } from '@passerelle/database';
import {
  EventStore,
  eventStoreMigrations,
  LocalLocks,
  PostgresAdvisoryLocks,
  SqlEventStore,
  type LockProvider,
} from '@passerelle/event-store';
import { copyLog, sqlPositionKeeper } from '@passerelle/event-store/copy';
import {
  checkSameDataKey,
  copyPrivacyTables,
  planPrivacyCopy,
  privacyMigrations,
  type PrivacyCopyResult,
} from '@passerelle/privacy';
import { SingleBar, Presets } from 'cli-progress';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface End {
  store: EventStore;
  /** The end's SQL database when its log is in SQL (the privacy tables are there too). */
  sql?: SqlClient;
  close(): Promise<void>;
}

const isEsdb = (spec: string) => spec.startsWith('esdb://') || spec.startsWith('esdb+discover://');

async function openDatabase(spec: string, schema: string): Promise<SqlClient> {
  if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) {
    return createSqlClient({ databaseUrl: spec, schema });
  }
  if (spec.startsWith('pglite:')) return createSqlClient({ dataDir: spec.slice('pglite:'.length), schema });
  throw new Error(`Unknown database "${spec}": use pglite:<dir> or postgres://…`);
}

/** The locks the target deployment's processes take: advisory locks on PostgreSQL, none to share on PGlite. */
function locksOf(spec: string, schema: string): LockProvider {
  if (spec.startsWith('pglite:')) return new LocalLocks();
  return new PostgresAdvisoryLocks({ databaseUrl: spec, schema, applicationName: 'passerelle:copy-log' });
}

async function open(spec: string, schema: string): Promise<End> {
  if (isEsdb(spec)) {
    const store = await openEsdbEventStore(spec);
    return { store, close: () => store.close() };
  }
  if (!/^(postgres|postgresql):\/\/|^pglite:/.test(spec)) {
    throw new Error(`Unknown store "${spec}": use pglite:<dir>, postgres://… or esdb://…`);
  }
  const client = await openDatabase(spec, schema);
  await migrate(client, eventStoreMigrations);
  const store = new SqlEventStore(client);
  return {
    store,
    sql: client,
    async close() {
      await store.close();
      await client.close();
    },
  };
}

function summary(result: PrivacyCopyResult): string[] {
  const lines = Object.entries(result.tables).map(([table, copy]) => {
    const parts = [`${copy.copied} copied`, `${copy.alreadyThere} already there`];
    if (copy.differing > 0) parts.push(`${copy.differing} differing (the target's rows kept)`);
    if (copy.skipped > 0) {
      parts.push(
        table === 'signed_heads'
          ? `${copy.skipped} skipped (the target holds another event, or none yet, at their positions)`
          : `${copy.skipped} skipped (forgotten in the target)`,
      );
    }
    return `  ${table}: ${parts.join(', ')}`;
  });
  if (result.keysErased > 0)
    lines.push(`  person_keys: ${result.keysErased} erased (forgotten in the source)`);
  return lines;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'from-schema': { type: 'string', default: 'public' },
      'to-schema': { type: 'string', default: 'public' },
      'from-database': { type: 'string' },
      'to-database': { type: 'string' },
      checkpoint: { type: 'string' },
      'batch-size': { type: 'string', default: '500' },
      'log-only': { type: 'boolean', default: false },
    },
  });
  if (!values.from || !values.to) {
    console.error(
      'Usage: npm run copy-log -- --from <store> --to <store> [--from-database <db>] [--to-database <db>] [--checkpoint file] [--log-only]',
    );
    process.exit(2);
  }
  for (const [option, spec] of [
    ['--from-database', values['from-database']],
    ['--to-database', values['to-database']],
  ] as const) {
    const end = option === '--from-database' ? values.from : values.to;
    if (spec !== undefined && !isEsdb(end)) {
      throw new Error(`${option} is for an EventStoreDB end; a SQL end keeps its tables in its own database`);
    }
  }
  const route = createHash('sha256').update(
    `${values.from}|${values['from-schema']}|${values.to}|${values['to-schema']}`,
  );
  const checkpointFile = values.checkpoint ?? `copy-log-${route.digest('hex').slice(0, 12)}.json`;
  const after = existsSync(checkpointFile)
    ? (JSON.parse(readFileSync(checkpointFile, 'utf8')) as { position: number }).position
    : 0;

  const closing: (() => Promise<void>)[] = [];
  try {
    const source = await open(values.from, values['from-schema']!);
    closing.push(() => source.close());
    const target = await open(values.to, values['to-schema']!);
    closing.push(() => target.close());
    const databaseOf = async (end: End, spec: string | undefined, schema: string) => {
      if (end.sql || spec === undefined) return end.sql;
      const client = await openDatabase(spec, schema);
      closing.push(() => client.close());
      return client;
    };
    const sourceDatabase = await databaseOf(source, values['from-database'], values['from-schema']!);
    const targetDatabase = await databaseOf(target, values['to-database'], values['to-schema']!);
    const plan = planPrivacyCopy(
      { log: source.sql ? 'sql' : 'esdb', database: sourceDatabase !== undefined },
      { log: target.sql ? 'sql' : 'esdb', database: targetDatabase !== undefined },
    );
    if (sourceDatabase && targetDatabase) {
      // Before anything is copied: a target written with another DATA_KEY could read none of it.
      await migrate(targetDatabase, privacyMigrations);
      await checkSameDataKey(sourceDatabase, targetDatabase);
    }

    const head = await source.store.headPosition();
    if (after > 0) console.log(`Resuming after position ${after} (${checkpointFile})`);
    const bar = new SingleBar(
      { format: 'copying |{bar}| {percentage}% position {value}/{total} · {copied} copied' },
      Presets.shades_classic,
    );
    bar.start(head, after, { copied: 0 });
    const result = await copyLog(source.store, target.store, {
      after,
      batchSize: Number(values['batch-size']),
      // SQL positions carry over to SQL (signed heads name them); EventStoreDB's are byte offsets.
      ...(source.sql && target.sql ? { keepPositions: sqlPositionKeeper(target.sql) } : {}),
      onProgress: (progress) => {
        writeFileSync(checkpointFile, JSON.stringify({ position: progress.position }));
        bar.update(progress.position, { copied: progress.copied });
      },
    });
    bar.update(head, { copied: result.copied });
    bar.stop();
    console.log(
      `Done: ${result.copied} events copied, ${result.alreadyThere} already in the target. Checkpoint: ${checkpointFile}`,
    );
    if (source.sql && target.sql && result.moved > 0) {
      console.warn(
        `${result.moved} events could not keep their source position (the target held events at or beyond it): ` +
          'signed heads from there on cannot verify there and are not copied.',
      );
    }

    if (plan.keys && sourceDatabase && targetDatabase) {
      const copied = await copyPrivacyTables(sourceDatabase, targetDatabase, {
        signedHeads: plan.signedHeads,
      });
      console.log(['Privacy tables:', ...summary(copied)].join('\n'));
    }
    for (const warning of plan.warnings) console.warn(`Warning: ${warning}`);

    if (values['log-only']) {
      console.log('The read models and the e-mail dispatcher are left to the service (--log-only).');
    } else if (!targetDatabase) {
      console.warn(
        'Warning: the target has no SQL database named (--to-database): its read models will be built by the ' +
          'service as it starts, and its e-mail dispatcher will follow the copied log from the start.',
      );
    } else {
      console.log('Preparing the target for its first start:');
      const databaseSpec = target.sql ? values.to : values['to-database']!;
      await prepareCopiedLog({
        client: targetDatabase,
        store: target.store,
        locks: locksOf(databaseSpec, values['to-schema']!),
        log: (line) => console.log(`  ${line}`),
      });
    }
  } finally {
    for (const close of closing.reverse()) await close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
