import { join } from 'node:path';
import type { BenchContext } from '../lib/context';
import { using } from '../lib/context';
import { compared, type Figure } from '../lib/report';
import { alternate, remote } from '../lib/rounds';
import type { Load } from '../systems';

const maxConnections = 16;

/** `append` and `append-vs-emmett`: one event to a new stream, 16 writers, against raw INSERTs and Emmett. */
export async function append(ctx: BenchContext): Promise<Figure[]> {
  const { ops, concurrency } = ctx.sizes.append;
  const load: Load = { ops, concurrency };
  const warmup: Load = { ops: Math.ceil(ops / 4), concurrency };
  const emmettUrl = await ctx.scratch.database('emmett');
  return using(
    [
      ctx.open('pg-raw', { databaseUrl: ctx.databaseUrl, schema: ctx.scratch.schema('raw'), maxConnections }),
      ctx.open('store', {
        databaseUrl: ctx.databaseUrl,
        schema: ctx.scratch.schema('append'),
        maxConnections,
      }),
      ctx.open('emmett', { databaseUrl: emmettUrl, maxConnections }),
    ],
    async ([raw, ours, emmett]) => {
      const results = await alternate(
        [
          remote('raw', raw!, 'append', () => load, warmup),
          remote('ours', ours!, 'append', () => load, warmup),
          remote('emmett', emmett!, 'append', () => load, warmup),
        ],
        ctx.sizes.rounds,
        ctx.log,
      );
      const [r, o, e] = [results.get('raw')!, results.get('ours')!, results.get('emmett')!];
      ctx.log(`  Emmett reaches ${(e.rate / r.rate).toFixed(2)}× raw INSERTs (p50 ${e.p50.toFixed(2)} ms)`);
      return [
        compared('append', 'appends/s', o, 'raw INSERT', r),
        compared('append-vs-emmett', 'appends/s', o, 'Emmett', e),
      ];
    },
  );
}

/** `read-modify-append-vs-emmett`: read a stream, append at that revision; 500 streams, 16 writers. */
export async function readModifyAppend(ctx: BenchContext): Promise<Figure[]> {
  const { ops, concurrency, streams } = ctx.sizes.readModifyAppend;
  const load = (round: number): Load => ({ ops, concurrency, seed: round + 1 });
  const warmup: Load = { ops: Math.ceil(ops / 4), concurrency, seed: 0 };
  const emmettUrl = await ctx.scratch.database('emmett_rma');
  return using(
    [
      ctx.open('store', { databaseUrl: ctx.databaseUrl, schema: ctx.scratch.schema('rma'), maxConnections }),
      ctx.open('emmett', { databaseUrl: emmettUrl, maxConnections }),
    ],
    async ([ours, emmett]) => {
      await Promise.all([ours!.call('seedStreams', { streams }), emmett!.call('seedStreams', { streams })]);
      const results = await alternate(
        [
          remote('ours', ours!, 'readModifyAppend', load, warmup),
          remote('emmett', emmett!, 'readModifyAppend', load, warmup),
        ],
        ctx.sizes.rounds,
        ctx.log,
      );
      const [o, e] = [results.get('ours')!, results.get('emmett')!];
      ctx.log(`  lost races retried: ours ${o.conflicts}, Emmett ${e.conflicts}`);
      return [compared('read-modify-append', 'commands/s', o, 'Emmett', e)];
    },
  );
}

/**
 * `read-all` over the domain log (which `rebuild` then reuses): the store's readAll in batches
 * against a plain ordered SELECT of the same table in batches of the same size.
 */
export async function readAll(ctx: BenchContext, logSchema: string): Promise<Figure[]> {
  const { batchSize } = ctx.sizes.log;
  return using(
    [
      ctx.open('pg-raw', { databaseUrl: ctx.databaseUrl, schema: logSchema, maxConnections: 1 }),
      ctx.open('store', { databaseUrl: ctx.databaseUrl, schema: logSchema, maxConnections: 1 }),
    ],
    async ([raw, ours]) => {
      const results = await alternate(
        [
          remote('raw', raw!, 'readAll', () => ({ batchSize })),
          remote('ours', ours!, 'readAll', () => ({ batchSize })),
        ],
        ctx.sizes.rounds,
        ctx.log,
      );
      return [compared('read-all', 'events/s', results.get('ours')!, 'raw SELECT', results.get('raw')!)];
    },
  );
}

/** Writes the domain log read-all and rebuild read; returns its schema. */
export async function domainLog(ctx: BenchContext): Promise<string> {
  const schema = ctx.scratch.schema('log');
  await using(
    [ctx.open('store', { databaseUrl: ctx.databaseUrl, schema, maxConnections })],
    async ([store]) => {
      const head = await store!.call<number>('fillDomainLog', {
        events: ctx.sizes.log.events,
        concurrency: 16,
      });
      ctx.log(`  ${head.toLocaleString('en-US')} events in ${schema}`);
    },
  );
  return schema;
}

/** `append-pglite`: as `append`, on the embedded PGlite (on disk, as `npm start` runs it). */
export async function appendPglite(ctx: BenchContext): Promise<Figure[]> {
  const { ops, concurrency } = ctx.sizes.pglite;
  const load: Load = { ops, concurrency };
  const warmup: Load = { ops: Math.ceil(ops / 4), concurrency };
  return using(
    [
      ctx.open('pglite-raw', { dataDir: join(ctx.tmpDir, 'pglite-raw') }),
      ctx.open('store', { dataDir: join(ctx.tmpDir, 'pglite-store'), schema: 'public', maxConnections: 1 }),
    ],
    async ([raw, ours]) => {
      const results = await alternate(
        [
          remote('raw', raw!, 'append', () => load, warmup),
          remote('ours', ours!, 'append', () => load, warmup),
        ],
        ctx.sizes.rounds,
        ctx.log,
      );
      return [
        compared(
          'append-pglite',
          'appends/s',
          results.get('ours')!,
          'raw PGlite INSERT',
          results.get('raw')!,
        ),
      ];
    },
  );
}
