/**
 * Passerelle's benchmarks: `npm run bench` (full size) or `npm run bench:quick` (CI size, same code).
 *   --only append,read-all   run some figures only
 *   --profile <dir>          write V8 CPU profiles of every system process to <dir>/<system>/
 *                            (read them with bench/profile-summary.ts)
 *   --database-url postgres://…   (default: BENCH_DATABASE_URL, else the test database)
 * Prints a table and writes bench/results/latest.json. Figures are measurements, never assertions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SIZES, type BenchContext } from './lib/context';
import { Scratch, serverVersion } from './lib/postgres';
import { Remote } from './lib/remote';
import { machine, table, writeResults, type Figure } from './lib/report';
import { application } from './suites/http';
import { embedded } from './suites/embedded';
import { growth } from './suites/growth';
import { longStream } from './suites/long-stream';
import { notifications } from './suites/notifications';
import { rebuild } from './suites/read-side';
import * as store from './suites/store';

const FIGURES = [
  'append',
  'read-modify-append',
  'read-all',
  'append-pglite',
  'embedded-http',
  'http-commands',
  'projection-lag',
  'rebuild',
  'notifications',
  'growth',
  'long-stream',
] as const;
type FigureName = (typeof FIGURES)[number];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'string' },
      'database-url': { type: 'string' },
    },
  });
  const only = new Set((values.only?.split(',') ?? FIGURES).map((name) => name.trim()));
  for (const name of only) {
    if (!FIGURES.includes(name as FigureName))
      throw new Error(`Unknown figure ${name}; one of ${FIGURES.join(', ')}`);
  }
  const wanted = (name: FigureName) => only.has(name);
  const databaseUrl =
    values['database-url'] ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const resultsDir = join(__dirname, 'results');
  const cpuProfileDir = values.profile ? resolve(values.profile) : undefined;
  const tmpDir = mkdtempSync(join(tmpdir(), 'passerelle-bench-'));
  const started = Date.now();
  const ctx: BenchContext = {
    sizes: SIZES[values.quick ? 'quick' : 'full'],
    databaseUrl,
    scratch: new Scratch(databaseUrl),
    tmpDir,
    log: (line) => console.log(line),
    open: (name, params) => Remote.open(name, params, { cpuProfileDir }),
  };
  const about = machine(await serverVersion(databaseUrl));
  console.log(
    `Passerelle benchmarks (${values.quick ? 'quick' : 'full'}): ${about.cpus} × ${about.cpuModel}, ` +
      `Node ${about.node}, PostgreSQL ${about.postgres}`,
  );

  const figures: Figure[] = [];
  const run = async (title: string, suite: () => Promise<Figure[]>) => {
    console.log(`\n${title}`);
    const t0 = Date.now();
    figures.push(...(await suite()));
    console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };
  try {
    if (wanted('append'))
      await run('append — 16 writers, one event to a new stream', () => store.append(ctx));
    if (wanted('read-modify-append'))
      await run('read-modify-append — 500 streams, 16 writers', () => store.readModifyAppend(ctx));
    if (wanted('read-all') || wanted('rebuild')) {
      let logSchema = '';
      await run(`domain log — ${ctx.sizes.log.events.toLocaleString('en-US')} events`, async () => {
        logSchema = await store.domainLog(ctx);
        return [];
      });
      if (wanted('read-all'))
        await run('read-all — the log from the start', () => store.readAll(ctx, logSchema));
      if (wanted('rebuild'))
        await run('rebuild — every projection from the start of the log', () => rebuild(ctx, logSchema));
    }
    if (wanted('append-pglite'))
      await run('append-pglite — embedded, on disk', () => store.appendPglite(ctx));
    if (wanted('embedded-http'))
      await run(
        "embedded-http — npm start's shape (PGlite, one process), 32 clients proposing partnerships",
        () => embedded(ctx),
      );
    if (wanted('http-commands') || wanted('projection-lag')) {
      const measured = { commands: wanted('http-commands'), lag: wanted('projection-lag') };
      await run(
        'http-commands, projection-lag — the application over HTTP; API with IN_PROCESS=none, projector and worker in another process',
        () => application(ctx, 'split', measured),
      );
      await run('…-in-process — the same with everything in the API process, as npm start runs it', () =>
        application(ctx, 'in-process', measured),
      );
    }
    if (wanted('notifications'))
      await run('notifications — meeting invitations through the whole pipeline to a local SMTP server', () =>
        notifications(ctx),
      );
    if (wanted('growth'))
      await run('growth — every measure at each size of the log (GROWTH_SIZES), PostgreSQL and PGlite', () =>
        growth(ctx),
      );
    if (wanted('long-stream'))
      await run(
        'long-stream — /history and asOf of a 5,000-event partnership, with and without the stream cache',
        () => longStream(ctx),
      );
  } finally {
    await ctx.scratch.dropAll();
    rmSync(tmpDir, { recursive: true, force: true });
  }

  console.log(`\n${table(figures)}\n`);
  const path = join(resultsDir, 'latest.json');
  writeResults(path, { machine: about, figures });
  console.log(`Wrote ${path} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
