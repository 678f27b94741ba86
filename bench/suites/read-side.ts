import type { BenchContext } from '../lib/context';
import { using } from '../lib/context';
import { compared, type Figure } from '../lib/report';
import { alternate, remote } from '../lib/rounds';
import type { Sample } from '../lib/stats';

/**
 * `rebuild`: every projection rebuilt blue/green from the start of the domain log, one after the
 * other, in log events per second through one projection; beside it, read-all over the same log.
 * One round: a full-size rebuild of the four projections takes minutes.
 */
export async function rebuild(ctx: BenchContext, logSchema: string): Promise<Figure[]> {
  const { batchSize } = ctx.sizes.log;
  return using(
    [
      ctx.open('store', { databaseUrl: ctx.databaseUrl, schema: logSchema, maxConnections: 1 }),
      ctx.open('read-side', { databaseUrl: ctx.databaseUrl, schema: logSchema }),
    ],
    async ([store, readSide]) => {
      const perProjection: Record<string, number>[] = [];
      const results = await alternate(
        [
          remote('read-all', store!, 'readAll', () => ({ batchSize })),
          {
            label: 'rebuild',
            run: async () => {
              const sample = await readSide!.call<Sample & { perProjection: Record<string, number> }>(
                'rebuild',
              );
              perProjection.push(sample.perProjection);
              return sample;
            },
            // A rebuild is long enough to warm itself up; the read-all round before it warms the reads.
            warmup: async () => undefined,
          },
        ],
        1,
        ctx.log,
      );
      for (const rates of perProjection) {
        ctx.log(
          `  ${Object.entries(rates)
            .map(([name, rate]) => `${name} ${rate.toLocaleString('en-US')}/s`)
            .join(', ')}`,
        );
      }
      return [compared('rebuild', 'events/s', results.get('rebuild')!, 'read-all', results.get('read-all')!)];
    },
  );
}
