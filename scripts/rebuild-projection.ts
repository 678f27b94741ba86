/**
 * Rebuilds read models blue/green: new tables fill from the log while the current ones serve, then the
 * readers' views swap to them in one transaction. On PostgreSQL the API keeps running throughout; on the
 * embedded PGlite (one process per data directory) stop the API first, or call its admin endpoint
 * `POST /api/projections/<name>/rebuild` instead.
 *
 *   npm run rebuild -- <projection|all> [--batch-size=1000] [--check]
 */
import { loadConfig } from '@passerelle/config';
import { createSqlClient } from '@passerelle/database';
import {
  AnyProjection,
  checkConsistency,
  READ_MODEL_PROJECTIONS,
  rebuildProjection,
} from '@passerelle/read-models';
import { LocalLocks, PostgresAdvisoryLocks } from '@passerelle/event-store';
import { MultiBar, Presets } from 'cli-progress';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openEventStore } from '../apps/projector/src/projector';

const USAGE = `Usage: npm run rebuild -- <${READ_MODEL_PROJECTIONS.map((p) => p.name).join('|')}|all> [--batch-size=1000] [--check]`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'batch-size': { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  const [target] = positionals;
  if (values.help || !target) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const projections: AnyProjection[] =
    target === 'all' ? [...READ_MODEL_PROJECTIONS] : READ_MODEL_PROJECTIONS.filter((p) => p.name === target);
  if (projections.length === 0) {
    console.error(`Unknown projection ${target}\n${USAGE}`);
    return 2;
  }
  const batchSize = Number(values['batch-size'] ?? 1000);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    console.error('--batch-size must be a positive whole number');
    return 2;
  }

  const config = loadConfig();
  let dataDir: string | undefined;
  if (!config.databaseUrl) {
    dataDir = join(config.dataDir, 'pglite');
    mkdirSync(dataDir, { recursive: true });
  }
  const client = await createSqlClient(
    config.databaseUrl
      ? { databaseUrl: config.databaseUrl, schema: config.databaseSchema, maxConnections: 4 }
      : { dataDir, schema: config.databaseSchema },
  );
  const store = await openEventStore(config, client);
  const locks = config.databaseUrl
    ? new PostgresAdvisoryLocks({
        databaseUrl: config.databaseUrl,
        schema: config.databaseSchema,
        applicationName: 'passerelle:rebuild',
      })
    : new LocalLocks();

  const bars = new MultiBar(
    {
      format: ' {name} |{bar}| {value}/{total} positions | {events} events | {rate} events/s',
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  // Between bars on a terminal; plain lines otherwise (CI logs, pipes).
  const say = (line: string) => (process.stdout.isTTY ? bars.log(`${line}\n`) : console.log(line));
  let failed = false;
  try {
    for (const projection of projections) {
      const head = await store.headPosition();
      const name = projection.name.padEnd(13);
      const bar = bars.create(Math.max(head, 1), 0, { name, events: 0, rate: 0 });
      const started = Date.now();
      const result = await rebuildProjection({
        client,
        store,
        projection,
        batchSize,
        locks,
        onProgress: ({ position, head: latest, events }) => {
          bar.setTotal(Math.max(latest, position, 1));
          const seconds = Math.max((Date.now() - started) / 1000, 0.001);
          bar.update(position, { name, events, rate: Math.round(events / seconds) });
        },
      });
      bar.stop();
      say(
        `${projection.name}: generation ${result.previousGeneration} → ${result.generation}, ${result.events} events in ${result.durationMs} ms (${Math.round((result.events * 1000) / Math.max(result.durationMs, 1))} events/s), live at position ${result.position}`,
      );
      if (values.check) {
        const report = await checkConsistency({ client, store, projection, batchSize });
        say(
          `${projection.name}: ${report.ok ? 'equal to' : 'DIFFERENT from'} a fresh rebuild at position ${report.position}`,
        );
        if (!report.ok) {
          failed = true;
          say(JSON.stringify(report.differences, null, 2));
        }
      }
    }
  } finally {
    bars.stop();
    await store.close();
    await client.close();
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
