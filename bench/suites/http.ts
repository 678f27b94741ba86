import type { BenchContext } from '../lib/context';
import { using } from '../lib/context';
import { commandLoad, proposePartnerships, registerParties } from '../lib/http';
import { alone, compared, type Figure } from '../lib/report';
import { alternate, remote } from '../lib/rounds';
import { summarise, type Sample } from '../lib/stats';
import type { Load } from '../systems';
import type { AppInfo, LagLoad } from '../systems/app';

/**
 * The application over HTTP, in one process of its own (createApp on PostgreSQL, read models
 * following the log in-process, as `npm start` runs it).
 *
 * `http-commands`: suspensions and resumptions (JWT, validation, CommandBus, load, decide, append)
 * by 32 autocannon connections from this process, against the same application's bare store append
 * at the same concurrency, in turns.
 *
 * `projection-lag`: then, once the read models have caught up, proposals at a steady 200 per
 * second, each timed from its acknowledgement to the moment every projection has processed it.
 */
export async function application(
  ctx: BenchContext,
  wanted: { commands: boolean; lag: boolean },
): Promise<Figure[]> {
  const { seconds, connections, partnerships } = ctx.sizes.http;
  return using(
    [ctx.open('app', { databaseUrl: ctx.databaseUrl, schema: ctx.scratch.schema('http') })],
    async ([app]) => {
      const api = await app!.call<AppInfo>('info');
      const parties = await registerParties(api, 1);
      const figures: Figure[] = [];

      if (wanted.commands) {
        const ids = await proposePartnerships(api, parties, partnerships);
        ctx.log(`  ${ids.length} partnerships proposed over HTTP`);
        const onHold = new Map<string, boolean>();
        const failures: Record<string, number> = {};
        const appendLoad: Load = { ops: Math.round(seconds * 800), concurrency: connections };
        const results = await alternate(
          [
            remote('store append', app!, 'append', () => appendLoad),
            {
              label: 'http',
              run: async () => {
                const sample = await commandLoad(api, ids, onHold, connections, seconds);
                for (const [key, count] of Object.entries(sample.failures))
                  failures[key] = (failures[key] ?? 0) + count;
                return sample;
              },
              warmup: () => commandLoad(api, ids, onHold, connections, Math.max(1, seconds / 4)),
            },
          ],
          ctx.sizes.rounds,
          ctx.log,
        );
        ctx.log(`  answers other than 2xx: ${JSON.stringify(failures)}`);
        figures.push(
          compared(
            'http-commands',
            'commands/s',
            results.get('http')!,
            'store append',
            results.get('store append')!,
          ),
        );
      }

      if (wanted.lag) {
        const settledMs = await app!.call<number>('settle');
        ctx.log(`  read models caught up with the log in ${Math.round(settledMs)} ms`);
        const { perSecond, commands } = ctx.sizes.lag;
        const load: LagLoad = { perSecond, commands, parties };
        await app!.call('projectionLag', { ...load, commands: Math.min(commands, perSecond) });
        const lag = summarise([await app!.call<Sample>('projectionLag', load)]);
        ctx.log(
          `  ${commands} proposals at ${perSecond}/s: lag p50 ${lag.p50.toFixed(1)} ms, p99 ${lag.p99.toFixed(1)} ms`,
        );
        figures.push(alone('projection-lag', lag.p50, 'ms', lag.p50, lag.p99));
      }
      return figures;
    },
  );
}
