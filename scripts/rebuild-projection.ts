/**
 * Rebuilds read models blue/green: new tables fill from the log while the current ones serve, then the
 * readers' views swap to them in one transaction. On PostgreSQL the API keeps running throughout; on the
 * embedded PGlite (one process per data directory) stop the API first, or call its admin endpoint
 * `POST /api/projections/<name>/rebuild` instead.
 *
 *   npm run rebuild -- <projection|all> [--batch-size=1000] [--check]
 *
 * `all` builds every read model from one read of the log (each batch applied to all of them).
 */
import { loadConfig } from '@passerelle/config';
import {
  locksFor,
  migrateAll,
  openSqlClient,
  openStoredEventStore,
} from '@passerelle/application/composition';
import {
  AnyProjection,
  checkConsistency,
  READ_MODEL_PROJECTIONS,
  rebuildProjections,
} from '@passerelle/read-models';
import { MultiBar, Presets } from 'cli-progress';
import { parseArgs } from 'node:util';

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
  const client = await migrateAll(await openSqlClient(config, { maxConnections: 4 }));
  const store = await openStoredEventStore(config, client);
  const locks = locksFor(config, 'rebuild');

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
    const head = await store.headPosition();
    const name = (projections.length === 1 ? projections[0]!.name : 'all').padEnd(13);
    const bar = bars.create(Math.max(head, 1), 0, { name, events: 0, rate: 0 });
    const started = Date.now();
    const results = await rebuildProjections({
      client,
      store,
      projections,
      batchSize,
      locks,
      onProgress: ({ position, head: latest, events }) => {
        bar.setTotal(Math.max(latest, position, 1));
        const seconds = Math.max((Date.now() - started) / 1000, 0.001);
        bar.update(position, { name, events, rate: Math.round(events / seconds) });
      },
    });
    bar.stop();
    for (const [index, result] of results.entries()) {
      const projection = projections[index]!;
      say(
        `${result.name}: generation ${result.previousGeneration} → ${result.generation}, ${result.events} events in ${result.durationMs} ms (${Math.round((result.events * 1000) / Math.max(result.durationMs, 1))} events/s), live at position ${result.position}`,
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
