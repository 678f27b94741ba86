/**
 * Copies the whole event log between deployments, keeping ids, order, revisions and metadata.
 * Resumable: the position reached is saved after every batch and a rerun continues from it.
 *
 *   npm run copy-log -- --from pglite:./data/pglite --to postgres://user@host/db [--to-schema public]
 *   npm run copy-log -- --from postgres://… --to esdb://host:2113?tls=false
 *
 * Ends: `pglite:<dir>`, `postgres://…` (with --from-schema/--to-schema), `esdb://…` / `esdb+discover://…`.
 * Personal data stays encrypted as stored: the copy moves ciphertext, never plaintext.
 */
import { createSqlClient, migrate, SqlClient } from '@passerelle/database';
import { EventStore, eventStoreMigrations, SqlEventStore } from '@passerelle/event-store';
import { copyLog } from '@passerelle/event-store/copy';
import { SingleBar, Presets } from 'cli-progress';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface End {
  store: EventStore;
  close(): Promise<void>;
}

async function open(spec: string, schema: string): Promise<End> {
  if (spec.startsWith('esdb://') || spec.startsWith('esdb+discover://')) {
    const { createEsdbEventStore, checkEsdbConnection } = await import('@passerelle/event-store/esdb');
    const store = createEsdbEventStore(spec);
    await checkEsdbConnection(store, 5000);
    return { store, close: () => store.close() };
  }
  let client: SqlClient;
  if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) {
    client = await createSqlClient({ databaseUrl: spec, schema });
  } else if (spec.startsWith('pglite:')) {
    client = await createSqlClient({ dataDir: spec.slice('pglite:'.length), schema });
  } else {
    throw new Error(`Unknown store "${spec}": use pglite:<dir>, postgres://… or esdb://…`);
  }
  await migrate(client, eventStoreMigrations);
  const store = new SqlEventStore(client);
  return {
    store,
    async close() {
      await store.close();
      await client.close();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'from-schema': { type: 'string', default: 'public' },
      'to-schema': { type: 'string', default: 'public' },
      checkpoint: { type: 'string' },
      'batch-size': { type: 'string', default: '500' },
    },
  });
  if (!values.from || !values.to) {
    console.error('Usage: npm run copy-log -- --from <store> --to <store> [--checkpoint file]');
    process.exit(2);
  }
  const route = createHash('sha256').update(
    `${values.from}|${values['from-schema']}|${values.to}|${values['to-schema']}`,
  );
  const checkpointFile = values.checkpoint ?? `copy-log-${route.digest('hex').slice(0, 12)}.json`;
  const after = existsSync(checkpointFile)
    ? (JSON.parse(readFileSync(checkpointFile, 'utf8')) as { position: number }).position
    : 0;

  const source = await open(values.from, values['from-schema']!);
  const target = await open(values.to, values['to-schema']!);
  try {
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
  } finally {
    await source.close();
    await target.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
