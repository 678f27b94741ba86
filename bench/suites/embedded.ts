import { join } from 'node:path';
import type { BenchContext } from '../lib/context';
import { using } from '../lib/context';
import { proposalLoad, proposalsAtRate, registerParties } from '../lib/http';
import { alone, compared, type Figure } from '../lib/report';
import { alternate } from '../lib/rounds';
import { summarise, type Sample } from '../lib/stats';
import type { Load } from '../systems';
import { embeddedEnvironment, type AppInfo } from '../systems/app';

/**
 * The embedded default as a new user meets it: `npm start`'s shape (PGlite on disk, the commands, the
 * four projections and the e-mail dispatcher in one process), 32 clients proposing partnerships over
 * HTTP as fast as they are answered.
 *
 * `embedded-http`: proposals per second against the PGlite store's own append rate (one event to a
 * new stream, 32 at a time, in a process of its own on its own data directory), in turns, same run.
 * `embedded-http-slowest`: the slowest of those answers (ms). `embedded-http-20-per-second`: then
 * proposals at an offered 20 per second (an open loop), p50 and p99 of the answers.
 */
export async function embedded(ctx: BenchContext): Promise<Figure[]> {
  const { seconds, connections } = ctx.sizes.http;
  const { perSecond, commands } = ctx.sizes.embedded;
  return using(
    [
      ctx.open('app', { env: embeddedEnvironment() }),
      ctx.open('store', { dataDir: join(ctx.tmpDir, 'embedded-store'), schema: 'public', maxConnections: 1 }),
    ],
    async ([app, store]) => {
      const api = await app!.call<AppInfo>('info');
      const { parties } = await registerParties(api, 1);
      const appendLoad: Load = { ops: Math.round(seconds * 600), concurrency: connections };
      let slowest = 0;
      let slowerThanOneSecond = 0;
      let failed = 0;
      let total = 0;
      const http = async (duration: number): Promise<Sample> => {
        const sample = await proposalLoad(api, parties, connections, duration);
        failed += sample.failed;
        return sample;
      };
      const results = await alternate(
        [
          {
            label: 'PGlite store append',
            run: () => store!.call<Sample>('append', appendLoad),
            warmup: () => store!.call('append', { ...appendLoad, ops: Math.ceil(appendLoad.ops / 4) }),
          },
          {
            label: 'http',
            run: async () => {
              const sample = await http(seconds);
              for (const ms of sample.latenciesMs) {
                slowest = Math.max(slowest, ms);
                if (ms > 1000) slowerThanOneSecond += 1;
              }
              total += sample.latenciesMs.length;
              return sample;
            },
            warmup: () => http(Math.max(1, seconds / 4)),
          },
        ],
        ctx.sizes.rounds,
        ctx.log,
      );
      ctx.log(
        `  ${connections} clients: ${total} answers, slowest ${slowest.toFixed(0)} ms, ` +
          `${slowerThanOneSecond} slower than 1 s, ${failed} not 2xx`,
      );
      const settledMs = await app!.call<number>('settle');
      ctx.log(`  settled (read models caught up, mail sent) in ${(settledMs / 1000).toFixed(1)} s`);
      const offered = await proposalsAtRate(api, parties, perSecond, commands);
      const atRate = summarise([offered]);
      ctx.log(
        `  ${commands} proposals at ${perSecond}/s: ${offered.failed} failed, p50 ${atRate.p50.toFixed(1)} ms, ` +
          `p99 ${atRate.p99.toFixed(1)} ms, slowest ${Math.max(...offered.latenciesMs).toFixed(0)} ms`,
      );
      return [
        compared(
          'embedded-http',
          'commands/s',
          results.get('http')!,
          'PGlite store append',
          results.get('PGlite store append')!,
        ),
        alone('embedded-http-slowest', slowest, 'ms', null, null),
        alone(`embedded-http-${perSecond}-per-second`, atRate.p99, 'ms', atRate.p50, atRate.p99),
      ];
    },
  );
}
