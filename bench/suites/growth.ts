import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChart, type Series } from '../lib/chart';
import type { BenchContext } from '../lib/context';
import { using } from '../lib/context';
import type { Api } from '../lib/http';
import { closedLoop } from '../lib/load';
import { withClient } from '../lib/postgres';
import type { Figure } from '../lib/report';
import { summarise, type Sample } from '../lib/stats';
import { benchEnvironment, embeddedEnvironment, type AppInfo } from '../systems/app';

/** What one size measured: latencies (p50/p99, ms) and single figures. */
export interface Point {
  store: 'postgres' | 'pglite';
  /** The size asked for (names the figures); `head`, the events the log held (places the point on a chart). */
  size: number;
  head: number;
  latencies: Record<string, { p50: number; p99: number }>;
  values: Record<string, number>;
}

interface Grown {
  head: number;
  ordinary: string[];
  long: string[];
  /** Partnerships suspended now (in a log kept from an earlier run). */
  suspended: string[];
}

/** The latencies whose p99 at the largest size is compared with the smallest's (goal ≤ 2×), and /history, asOf (≤ 50 ms). */
const FLAT = ['command', 'read-partnership', 'pipeline', 'matrix', 'activity'] as const;
const LONG = ['history-long', 'state-as-of-long', 'command-long'] as const;

function sizesFrom(variable: string, fallback: readonly number[]): number[] {
  const raw = process.env[variable];
  if (!raw) return [...fallback];
  if (raw === 'none') return [];
  const sizes = raw.split(',').map((part) => Number(part.trim()));
  if (sizes.some((size) => !Number.isInteger(size) || size <= 0)) {
    throw new Error(`${variable} must list whole numbers of events, got "${raw}"`);
  }
  return sizes.sort((a, b) => a - b);
}

async function request(api: Api, method: 'GET' | 'POST', path: string, token = api.token): Promise<unknown> {
  const response = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body:
      method === 'POST' ? (path.endsWith('/suspension') ? '{"reason":"Budget review"}' : '{}') : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** A GET read to its last byte, neither decoded nor parsed; the number of bytes. */
async function bytesOf(api: Api, path: string): Promise<number> {
  const response = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${api.token}` } });
  const body = await response.arrayBuffer();
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return body.byteLength;
}

/**
 * Growth curves: the log grown to each size in turn (GROWTH_SIZES, default 10k, 100k, 1M; quick 2k, 10k)
 * with the domain's own events — thousands of ordinary partnerships of sixteen events, six organisations
 * with contacts, and a few partnerships of 5,000 events — through the store's append (the fill is not
 * measured). At each size, on PostgreSQL: a full rebuild of every projection; then the application
 * (one process, as npm start runs it, here on PostgreSQL) and, over HTTP, p50/p99 of a command
 * (suspend or resume) on ordinary and on long partnerships, GET /partnerships/:id, the pipeline,
 * matrix and activity dashboards, /history and /state?asOf= of a long partnership, a full
 * /api/audit/verify (events/s, peak resident memory) and the API's resident memory. On PGlite
 * (GROWTH_PGLITE_SIZES): the embedded default's cold start on a store of that size (measureEmbedded).
 *
 * The latencies are measured warm, on a settled database. After the fill and the rebuild, every table
 * of the schema is vacuumed and analysed and a checkpoint written (settleDatabase): what a live
 * server's autovacuum and checkpointer do by themselves (this machine's PostgreSQL runs with autovacuum
 * off). Before that, the application is warmed by a first pass of the commands and GET
 * /partnerships/:id on the other half of the partnerships: the first requests after a bulk write and a
 * start were measured 2-4× slower than the same requests a minute later (they also write out the
 * buffers the fill left dirty). GROWTH_SETTLE=0 leaves the settling out; GROWTH_RECORD_FIRST=1 keeps
 * the first pass's figures too, as `<name>-first`.
 */
export async function growth(ctx: BenchContext): Promise<Figure[]> {
  const { long, longLength } = ctx.sizes.growth;
  const samples = Number(process.env.GROWTH_SAMPLES ?? ctx.sizes.growth.samples);
  const sizes = sizesFrom('GROWTH_SIZES', ctx.sizes.growth.sizes);
  const pgliteSizes = sizesFrom('GROWTH_PGLITE_SIZES', ctx.sizes.growth.pgliteSizes);
  // GROWTH_KEEP=1: start from the points of bench/results/growth.json (an earlier run's other sizes or
  // store), replacing those measured again, so a long size can be run on its own and still be charted
  // with the rest. The figures then mix two runs: say so where they are quoted.
  const points: Point[] = process.env.GROWTH_KEEP === '1' ? keptPoints(sizes, pgliteSizes) : [];
  // GROWTH_SCHEMA=bench_<name>: grow the log in that schema and keep it after the run, so a large log is
  // filled once and measured many times (a size the log already reaches is not filled again; the log's
  // actual head names the point). GROWTH_REBUILD=0 then leaves out the rebuild: the read models are kept too.
  const keptSchema = process.env.GROWTH_SCHEMA;
  if (keptSchema !== undefined && !/^bench_[a-z0-9_]+$/.test(keptSchema)) {
    throw new Error(
      `GROWTH_SCHEMA must be bench_ followed by lower-case letters, digits or _, got "${keptSchema}"`,
    );
  }
  const schema = keptSchema ?? ctx.scratch.schema('growth');
  const env = benchEnvironment(ctx.databaseUrl, schema, keptSchema);
  const onHold = new Set<string>();

  if (pgliteSizes.length > 0) {
    // The PGlite log is grown on PostgreSQL through the store (its own schema), then copied row for row
    // into a new PGlite directory at each size: appending to PGlite itself took 81 s for 15k events.
    const pgliteSchema = ctx.scratch.schema('growth_pglite');
    await using(
      [ctx.open('store', { databaseUrl: ctx.databaseUrl, schema: pgliteSchema, maxConnections: 8 })],
      async ([filler]) => {
        for (const size of pgliteSizes)
          await measureEmbedded(ctx, filler!, size, { long, longLength }, points);
      },
    );
  }

  await using(
    [ctx.open('store', { databaseUrl: ctx.databaseUrl, schema, maxConnections: 8 })],
    async ([filler]) => {
      for (const size of sizes) {
        const t0 = performance.now();
        const grown = await filler!.call<Grown>('grow', { events: size, concurrency: 8, long, longLength });
        ctx.log(
          `  postgres: log at ${grown.head.toLocaleString('en-US')} events (filled in ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
        );
        for (const streamId of grown.suspended) onHold.add(partnershipId(streamId));
        const point: Point = { store: 'postgres', size, head: grown.head, latencies: {}, values: {} };
        if (keptSchema === undefined || process.env.GROWTH_REBUILD !== '0') {
          const rebuilt = await using(
            [ctx.open('read-side', { databaseUrl: ctx.databaseUrl, schema })],
            ([readSide]) => readSide!.call<Sample>('rebuild'),
          );
          point.values['rebuild events/s'] = (rebuilt.ops * 1000) / rebuilt.elapsedMs;
          ctx.log(
            `  rebuild: ${Math.round(point.values['rebuild events/s']).toLocaleString('en-US')} events/s`,
          );
        }
        // The e-mail pipeline stays out: the fill went through the store, not a running application, so
        // the dispatcher would start at position 0 and plan every meeting of the log before the first
        // measurement (at 1M, more than ten minutes). The read models are current (just rebuilt).
        await using([ctx.open('app', { env: { ...env, IN_PROCESS: 'projections' } })], async ([app]) => {
          const api = await app!.call<AppInfo>('info');
          await app!.call('settle', { mail: false });
          // The first pass warms the application and the database; its figures are kept only when asked.
          const first: Point = process.env.GROWTH_RECORD_FIRST === '1' ? point : { ...point, latencies: {} };
          const before = await bufferCounters(ctx.databaseUrl);
          await measureCommandsAndReads(ctx, api, grown, samples, onHold, first, 'first');
          ctx.log(`  first pass: ${await bufferCounters(ctx.databaseUrl, before)}`);
          if (process.env.GROWTH_SETTLE !== '0') {
            const settled = await settleDatabase(ctx.databaseUrl, schema);
            ctx.log(`  database settled (VACUUM ANALYZE, CHECKPOINT) in ${(settled / 1000).toFixed(1)} s`);
          }
          const buffers = await bufferCounters(ctx.databaseUrl);
          await measureApplication(ctx, app!, api, grown, samples, onHold, point, buffers);
        });
        points.push(point);
        await saved(points, ctx);
      }
    },
  );

  return figuresOf(points);
}

/**
 * The embedded default on a log of `size` events: the log grown on PostgreSQL and copied into a new
 * PGlite directory (the same rows the store writes, hash chains and all), then prepared as `npm run
 * copy-log` prepares a target (the dispatcher at the head with the timers still to come, every read
 * model rebuilt: its time and the rebuild's events/s are figures); a first start, which finds them at the
 * head; then a cold start, createApp to listening, and the API's resident memory.
 */
async function measureEmbedded(
  ctx: BenchContext,
  filler: { call<T>(method: string, args?: unknown): Promise<T> },
  size: number,
  shape: { long: number; longLength: number },
  points: Point[],
): Promise<void> {
  const dataDir = join(ctx.tmpDir, `growth-pglite-${size}`);
  mkdirSync(join(dataDir, 'pglite'), { recursive: true });
  try {
    const t0 = performance.now();
    const grown = await filler.call<Grown>('grow', { events: size, concurrency: 8, ...shape });
    const t1 = performance.now();
    await filler.call<number>('copyToPglite', { dataDir: join(dataDir, 'pglite') });
    const point: Point = { store: 'pglite', size, head: grown.head, latencies: {}, values: {} };
    ctx.log(
      `  pglite: ${grown.head.toLocaleString('en-US')} events, grown on PostgreSQL in ${((t1 - t0) / 1000).toFixed(0)} s ` +
        `and copied into PGlite in ${((performance.now() - t1) / 1000).toFixed(0)} s`,
    );
    // As `npm run copy-log` ends: the dispatcher at the head, the read models rebuilt (decision 0025).
    const prepared = await filler.call<{
      dispatcherMs: number;
      timers: number;
      rebuilds: { name: string; events: number; ms: number }[];
      totalMs: number;
    }>('prepareCopy', { dataDir: join(dataDir, 'pglite') });
    // The read models are built together from one read of the log: events applied to any of them per
    // second of that build (each result's time runs from the build's start to its own swap).
    const rebuildMs = Math.max(...prepared.rebuilds.map((rebuild) => rebuild.ms));
    const rebuildEvents = prepared.rebuilds.reduce((sum, rebuild) => sum + rebuild.events, 0);
    point.values['prepare s'] = prepared.totalMs / 1000;
    point.values['rebuild events/s'] = (rebuildEvents * 1000) / rebuildMs;
    ctx.log(
      `  pglite: prepared in ${(prepared.totalMs / 1000).toFixed(1)} s: dispatcher at the head with ${prepared.timers} timers ` +
        `in ${(prepared.dispatcherMs / 1000).toFixed(1)} s; ` +
        `${prepared.rebuilds.map((rebuild) => rebuild.name).join(', ')} built from one read of the log in ` +
        `${(rebuildMs / 1000).toFixed(1)} s (${Math.round((rebuildEvents * 1000) / rebuildMs).toLocaleString('en-US')} events applied a second)`,
    );
    const appEnv = { ...embeddedEnvironment(), DATA_DIR: dataDir };
    // The first start finds the read models built and the dispatcher at the head; a cold start is the next one.
    const first = performance.now();
    await using([ctx.open('app', { env: appEnv })], async ([app]) => {
      const listening = (await app!.call<number>('startup')) / 1000;
      const settled = (await app!.call<number>('settle')) / 1000;
      ctx.log(
        `  pglite: first start listening after ${listening.toFixed(1)} s, read models and dispatcher at the head ${settled.toFixed(1)} s later`,
      );
    });
    point.values['first start s'] = (performance.now() - first) / 1000;
    const cold = performance.now();
    await using([ctx.open('app', { env: appEnv })], async ([app]) => {
      point.values['process to listening s'] = (performance.now() - cold) / 1000;
      point.values['cold start s'] = (await app!.call<number>('startup')) / 1000;
      const { rssMb } = await app!.call<{ rssMb: number }>('memory');
      point.values['API resident MB'] = rssMb;
    });
    ctx.log(
      `  pglite: cold start ${point.values['cold start s']!.toFixed(1)} s (createApp to listening; ` +
        `${point.values['process to listening s']!.toFixed(1)} s from a new process, compiling the TypeScript)`,
    );
    points.push(point);
    await saved(points, ctx);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * After each size: the figures so far in bench/results/growth.json and the charts redrawn, so a long
 * run stopped at a large size keeps what the smaller ones measured.
 */
/** The points of bench/results/growth.json but those at the sizes about to be measured again. */
function keptPoints(sizes: readonly number[], pgliteSizes: readonly number[]): Point[] {
  const path = join(__dirname, '..', 'results', 'growth.json');
  if (!existsSync(path)) return []; // no earlier run here (results are not committed)
  const { points } = JSON.parse(readFileSync(path, 'utf8')) as { points: Point[] };
  const again = (point: Point) => (point.store === 'pglite' ? pgliteSizes : sizes).includes(point.size);
  return points.filter((point) => !again(point));
}

async function saved(points: readonly Point[], ctx: BenchContext): Promise<void> {
  const path = join(__dirname, '..', 'results', 'growth.json');
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(
    path,
    `${JSON.stringify({ date: new Date().toISOString(), points, figures: figuresOf(points) }, null, 2)}\n`,
  );
  await drawCharts(points, ctx);
}

/**
 * What a live server does by itself after a bulk write, done at once: every table of the schema vacuumed
 * (hint bits, visibility map) and analysed, and a checkpoint, so that reads do not write out the dirty
 * buffers the fill and the rebuild left. Answers the milliseconds it took.
 */
async function settleDatabase(databaseUrl: string, schema: string): Promise<number> {
  const t0 = performance.now();
  await withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      'SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY tablename',
      [schema],
    );
    for (const { name } of rows) await client.query(`VACUUM (ANALYZE) "${schema}"."${name}"`);
    await client.query('CHECKPOINT');
  });
  return performance.now() - t0;
}

interface BufferCounters {
  backend: number;
  checkpoint: number;
  clean: number;
  read: number;
  hit: number;
}

/** The server's buffer counters (pg_stat_bgwriter, pg_stat_database); with `since`, what moved since, as text. */
async function bufferCounters(databaseUrl: string): Promise<BufferCounters>;
async function bufferCounters(databaseUrl: string, since: BufferCounters): Promise<string>;
async function bufferCounters(databaseUrl: string, since?: BufferCounters): Promise<BufferCounters | string> {
  const now = await withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<Record<keyof BufferCounters, string>>(
      `SELECT w.buffers_backend AS backend, w.buffers_checkpoint AS checkpoint, w.buffers_clean AS clean,
              d.blks_read AS read, d.blks_hit AS hit
         FROM pg_stat_bgwriter w, pg_stat_database d WHERE d.datname = current_database()`,
    );
    const row = rows[0]!;
    return {
      backend: Number(row.backend),
      checkpoint: Number(row.checkpoint),
      clean: Number(row.clean),
      read: Number(row.read),
      hit: Number(row.hit),
    };
  });
  if (!since) return now;
  const moved = (key: keyof BufferCounters) => (now[key] - since[key]).toLocaleString('en-US');
  return (
    `buffers written by backends ${moved('backend')}, by the checkpointer ${moved('checkpoint')}, ` +
    `by the background writer ${moved('clean')}; blocks read ${moved('read')}, hit ${moved('hit')} (whole server)`
  );
}

type Timed = (
  name: string,
  ops: number,
  concurrency: number,
  op: (index: number) => Promise<unknown>,
) => Promise<void>;

function timer(ctx: BenchContext, point: Point, suffix = ''): Timed {
  return async (name, ops, concurrency, op) => {
    const run = async (index: number) => void (await op(index));
    await closedLoop(concurrency, Math.max(1, Math.ceil(ops / 10)), run); // warm-up
    const summary = summarise([await closedLoop(concurrency, ops, run)]);
    point.latencies[name + suffix] = { p50: summary.p50, p99: summary.p99 };
    ctx.log(`  ${name + suffix}: p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms`);
  };
}

/**
 * A command on ordinary and on long partnerships, and GET /partnerships/:id. The `first` pass takes
 * its ordinary partnerships from the other half of the list, so the measured pass does not find their
 * rows in the cache it filled.
 */
async function measureCommandsAndReads(
  ctx: BenchContext,
  api: AppInfo,
  grown: Grown,
  samples: number,
  onHold: Set<string>,
  point: Point,
  pass?: 'first',
): Promise<void> {
  const timed = timer(ctx, point, pass ? `-${pass}` : '');
  // A suspension or a resumption, whichever is legal next; no two at once on one partnership.
  const command = (id: string) => {
    const step = onHold.has(id) ? 'resumption' : 'suspension';
    return request(api, 'POST', `/api/partnerships/${id}/${step}`).then(() => {
      if (step === 'suspension') onHold.add(id);
      else onHold.delete(id);
    });
  };
  const ordinary = grown.ordinary.map(partnershipId);
  const longIds = grown.long.map(partnershipId);
  const offset = pass ? Math.floor(ordinary.length / 2) : 0;
  let next = offset;
  await timed('command', samples, 4, () => command(ordinary[next++ % ordinary.length]!));
  await timed('command-long', Math.ceil(samples / 4), 1, (i) => command(longIds[i % longIds.length]!));
  await timed('read-partnership', samples, 4, (i) =>
    request(api, 'GET', `/api/partnerships/${ordinary[(i * 7 + offset) % ordinary.length]}`),
  );
}

const partnershipId = (streamId: string) => streamId.slice(streamId.indexOf('-') + 1);

async function measureApplication(
  ctx: BenchContext,
  app: { call<T>(method: string, args?: unknown): Promise<T> },
  api: AppInfo,
  grown: Grown,
  samples: number,
  onHold: Set<string>,
  point: Point,
  buffers: BufferCounters,
): Promise<void> {
  const timed = timer(ctx, point);
  const longIds = grown.long.map(partnershipId);
  await measureCommandsAndReads(ctx, api, grown, samples, onHold, point);
  ctx.log(`  ${await bufferCounters(ctx.databaseUrl, buffers)}`);
  for (const dashboard of ['pipeline', 'matrix', 'activity'] as const) {
    await timed(dashboard, samples, 4, () => request(api, 'GET', `/api/dashboard/${dashboard}`));
  }
  // Timed to the last byte: decoding and parsing the 3.3 MB of JSON is the
  // client's work (25-60 ms in this process on a busy machine), not the server's. `-parsed` keeps the
  // earlier measure, the text decoded and parsed, for comparison.
  await timed('history-long', Math.ceil(samples / 4), 1, (i) =>
    bytesOf(api, `/api/partnerships/${longIds[i % longIds.length]}/history`),
  );
  await timed('history-long-parsed', Math.ceil(samples / 4), 1, (i) =>
    request(api, 'GET', `/api/partnerships/${longIds[i % longIds.length]}/history`),
  );
  await timed('state-as-of-long', Math.ceil(samples / 4), 1, (i) =>
    request(api, 'GET', `/api/partnerships/${longIds[i % longIds.length]}/state?asOf=${2000 + i}`),
  );
  // GROWTH_VERIFY_UP_TO: verify only at sizes up to that one (a full verify of a large log takes long).
  const verifyUpTo = Number(process.env.GROWTH_VERIFY_UP_TO ?? Infinity);
  if (point.size > verifyUpTo) {
    point.values['API resident MB'] = (await app.call<{ rssMb: number }>('memory')).rssMb;
    ctx.log(`  verify: left out above ${verifyUpTo.toLocaleString('en-US')} events (GROWTH_VERIFY_UP_TO)`);
    return;
  }
  // The baseline, same process, just before: the store's own readAll of the same log.
  const read = await app.call<{ perSecond: number }>('readAll');
  point.values['read-all events/s'] = read.perSecond;
  await app.call('resetPeakMemory');
  const before = await app.call<{ rssMb: number }>('memory');
  const t0 = performance.now();
  const report = (await request(api, 'GET', '/api/audit/verify', api.auditToken)) as { ok: boolean };
  const seconds = (performance.now() - t0) / 1000;
  const after = await app.call<{ rssMb: number; peakRssMb: number }>('memory', { stopPeak: true });
  point.values['verify events/s'] = grown.head / seconds;
  point.values['verify peak MB'] = after.peakRssMb;
  point.values['verify extra MB'] = after.peakRssMb - before.rssMb;
  point.values['API resident MB'] = after.rssMb;
  ctx.log(
    `  verify: ${report.ok ? 'ok' : 'NOT ok'} in ${seconds.toFixed(1)} s (${Math.round(grown.head / seconds).toLocaleString('en-US')} events/s), ` +
      `peak resident ${after.peakRssMb.toFixed(0)} MB (${(after.peakRssMb - before.rssMb).toFixed(0)} MB above the ${before.rssMb.toFixed(0)} MB before); ` +
      `readAll of the same log ${Math.round(read.perSecond).toLocaleString('en-US')} events/s`,
  );
}

const sizeName = (size: number) =>
  size >= 1e6 && size % 1e6 === 0
    ? `${size / 1e6}M`
    : size >= 1e3 && size % 1e3 === 0
      ? `${size / 1e3}k`
      : String(size);

const rounded = (value: number) => Math.round(value * 100) / 100;

function figuresOf(points: readonly Point[]): Figure[] {
  const figures: Figure[] = [];
  for (const point of points) {
    for (const [name, { p50, p99 }] of Object.entries(point.latencies)) {
      figures.push({
        name: `growth-${point.store}-${name}-${sizeName(point.size)}`,
        value: rounded(p99),
        unit: 'ms',
        p50_ms: rounded(p50),
        p99_ms: rounded(p99),
        baseline: null,
        baseline_value: null,
        ratio: null,
      });
    }
    for (const [name, value] of Object.entries(point.values)) {
      const [unit] = name.split(' ').slice(-1);
      figures.push({
        name: `growth-${point.store}-${name.split(' ').slice(0, -1).join('-').toLowerCase()}-${sizeName(point.size)}`,
        value: rounded(value),
        unit: unit!,
        p50_ms: null,
        p99_ms: null,
        baseline: null,
        baseline_value: null,
        ratio: null,
      });
    }
  }
  // A full verify against the store's own readAll of the same log, measured just before it.
  for (const point of points) {
    const [verify, read] = [point.values['verify events/s'], point.values['read-all events/s']];
    if (verify === undefined || read === undefined) continue;
    figures.push({
      name: `growth-${point.store}-verify-vs-read-all-${sizeName(point.size)}`,
      value: rounded(verify),
      unit: 'events/s',
      p50_ms: null,
      p99_ms: null,
      baseline: 'readAll of the same log',
      baseline_value: rounded(read),
      ratio: rounded(verify / read),
    });
  }
  // Each latency's p99 at the largest size against the smallest's, same run (goal ≤ 2×).
  const postgres = points.filter((point) => point.store === 'postgres');
  const [smallest, largest] = [postgres[0], postgres.at(-1)];
  if (smallest && largest && largest !== smallest) {
    for (const name of [...FLAT, ...LONG]) {
      const [low, high] = [smallest.latencies[name], largest.latencies[name]];
      if (!low || !high) continue;
      figures.push({
        name: `growth-${name}-${sizeName(largest.size)}-vs-${sizeName(smallest.size)}`,
        value: rounded(high.p99),
        unit: 'ms',
        p50_ms: rounded(high.p50),
        p99_ms: rounded(high.p99),
        baseline: `p99 at ${sizeName(smallest.size)}`,
        baseline_value: rounded(low.p99),
        ratio: rounded(high.p99 / low.p99),
      });
    }
  }
  return figures;
}

export async function drawCharts(points: readonly Point[], ctx: BenchContext): Promise<void> {
  const dir = join(__dirname, '..', '..', 'docs', 'performance');
  const postgres = points.filter((point) => point.store === 'postgres');
  const pglite = points.filter((point) => point.store === 'pglite');
  const latency = (names: readonly string[]): Series[] =>
    names.map((name) => ({
      label: name,
      points: postgres.flatMap((point) =>
        point.latencies[name] ? [[point.head, point.latencies[name].p99]] : [],
      ) as [number, number][],
    }));
  const value = (from: readonly Point[], name: string, label = name): Series => ({
    label,
    points: from.flatMap((point) =>
      point.values[name] === undefined ? [] : [[point.head, point.values[name]]],
    ) as [number, number][],
  });
  if (postgres.length > 0) {
    await lineChart(
      join(dir, 'growth-latency.png'),
      'p99 latency by log size (PostgreSQL)',
      'ms',
      latency(FLAT),
    );
    await lineChart(
      join(dir, 'growth-long-stream.png'),
      'A 5,000-event partnership: p99',
      'ms',
      latency(LONG),
    );
    await lineChart(join(dir, 'growth-throughput.png'), 'Verify and rebuild by log size', 'events/s', [
      value(postgres, 'verify events/s', 'verify'),
      value(postgres, 'rebuild events/s', 'rebuild'),
    ]);
  }
  await lineChart(join(dir, 'growth-memory.png'), 'Resident memory of the API', 'MB', [
    value(postgres, 'API resident MB', 'API (PostgreSQL)'),
    value(postgres, 'verify peak MB', 'peak in verify'),
    value(pglite, 'API resident MB', 'API (PGlite)'),
  ]);
  if (pglite.length > 0) {
    await lineChart(join(dir, 'growth-cold-start.png'), 'Embedded default: cold start', 's', [
      value(pglite, 'cold start s', 'cold start'),
    ]);
  }
  ctx.log(`  charts in ${dir}`);
}
