import type { BenchContext } from '../lib/context';
import type { Remote } from '../lib/remote';
import { using } from '../lib/context';
import { commandLoad, proposalsAndVisibility, proposePartnerships, registerParties } from '../lib/http';
import { alone, compared, type Figure } from '../lib/report';
import { alternate } from '../lib/rounds';
import { summarise, type Sample } from '../lib/stats';
import type { Load } from '../systems';
import { benchEnvironment, type AppInfo, type Counters } from '../systems/app';
import { serverCpuMs } from '../lib/server-cpu';

/** How the application is deployed for a measurement. */
export type Shape = 'split' | 'in-process';

/**
 * The application over HTTP on PostgreSQL, as deployed in one of two shapes:
 * - `split` (the figures `http-commands`, `projection-lag`): the API process with IN_PROCESS=none
 *   beside a background process running the projector and the e-mail worker, as the server and
 *   scale-out shapes run it;
 * - `in-process` (`…-in-process`): one process doing all of it, as `npm start` does.
 *
 * `http-commands`: meeting schedulings, suspensions and resumptions in turn (JWT, validation,
 * CommandBus, load, decide, append) by 32 autocannon connections from this process, against the same
 * application's bare store append at the same concurrency, in turns.
 *
 * `projection-lag`: then, once the read models have caught up, proposals at a steady 200 per
 * second from this process, each timed from its acknowledgement to the moment the API process sees
 * every projection past it (read your writes; asked for by a call to that process, so the figure
 * includes that call's two hops). The client used to run in the API process itself: its fetch, timers
 * and garbage shared the server's event loop and were counted in the server's answers.
 */
export async function application(
  ctx: BenchContext,
  shape: Shape,
  wanted: { commands: boolean; lag: boolean },
): Promise<Figure[]> {
  const { seconds, connections, partnerships } = ctx.sizes.http;
  const env = benchEnvironment(ctx.databaseUrl, ctx.scratch.schema('http'));
  const suffix = shape === 'split' ? '' : '-in-process';
  // The split shape also measures the floor: an empty NestJS route in a process of its own, on
  // Fastify (the application's adapter) and, for comparison, on Express.
  const systems =
    shape === 'split'
      ? [
          ctx.open('app', { env: { ...env, IN_PROCESS: 'none' } }),
          ctx.open('http-floor', { adapter: 'express' }),
          ctx.open('http-floor', { adapter: 'fastify' }),
          ctx.open('background', { env }),
        ]
      : [ctx.open('app', { env })];
  return using(systems, async ([app, floor, fastifyFloor, background]) => {
    const api = await app!.call<AppInfo>('info');
    const { parties, attendee } = await registerParties(api, 1);
    const figures: Figure[] = [];

    if (wanted.commands) {
      const ids = await proposePartnerships(api, parties, partnerships);
      ctx.log(`  ${ids.length} partnerships proposed over HTTP`);
      const workload = { last: new Map(), attendee };
      const failures: Record<string, number> = {};
      const appendLoad: Load = { ops: Math.round(seconds * 800), concurrency: connections };
      // What each unit of work cost the application process: SQL statements sent (its own, the
      // projections' and the e-mail pipeline's) and CPU time, over the measured rounds.
      const costs = new Map<string, { ops: number; statements: number; cpuMs: number }>();
      const measured =
        (label: string, run: () => Promise<Sample>, on: Remote = app!) =>
        async () => {
          const before = await on.call<Counters>('counters');
          const sample = await run();
          const after = await on.call<Counters>('counters');
          const cost = costs.get(label) ?? { ops: 0, statements: 0, cpuMs: 0 };
          cost.ops += sample.ops;
          cost.statements += after.statements - before.statements;
          cost.cpuMs += after.cpuMs - before.cpuMs;
          costs.set(label, cost);
          return sample;
        };
      const results = await alternate(
        [
          {
            label: 'store append',
            run: measured('store append', () => app!.call<Sample>('append', appendLoad)),
            warmup: () => app!.call('append', appendLoad),
          },
          {
            label: 'http',
            run: measured('http', async () => {
              const sample = await commandLoad(api, ids, workload, connections, seconds);
              for (const [key, count] of Object.entries(sample.failures)) {
                failures[key] = (failures[key] ?? 0) + count;
              }
              return sample;
            }),
            warmup: () => commandLoad(api, ids, workload, connections, Math.max(1, seconds / 4)),
          },
          ...(floor && fastifyFloor
            ? [
                await floorRun(EXPRESS_FLOOR, floor, ids, attendee, connections, seconds, measured),
                await floorRun(FASTIFY_FLOOR, fastifyFloor, ids, attendee, connections, seconds, measured),
              ]
            : []),
        ],
        ctx.sizes.rounds,
        ctx.log,
      );
      for (const [label, cost] of costs) {
        const what = label === 'http' ? 'command' : label === 'store append' ? 'append' : 'request';
        ctx.log(
          `  ${label}: ${(cost.statements / cost.ops).toFixed(1)} SQL statements and ` +
            `${(cost.cpuMs / cost.ops).toFixed(3)} ms of the process's CPU per ${what}`,
        );
      }
      ctx.log(`  answers other than 2xx: ${JSON.stringify(failures)}`);
      // The API process's CPU time per command (user + system, process.cpuUsage over the measured
      // rounds): a figure that does not depend on the machine's number of cores. In the split shape
      // the projector and the e-mail worker run in the other process, so it is the command path's own.
      const http = costs.get('http')!;
      const bare = costs.get('store append')!;
      const cpuPerCommand = http.cpuMs / http.ops;
      const cpuPerAppend = bare.cpuMs / bare.ops;
      figures.push({
        name: `http-commands-api-cpu${suffix}`,
        value: Math.round(cpuPerCommand * 1000) / 1000,
        unit: 'CPU ms/command',
        p50_ms: null,
        p99_ms: null,
        baseline: 'bare store append',
        baseline_value: Math.round(cpuPerAppend * 1000) / 1000,
        ratio: Math.round((cpuPerCommand / cpuPerAppend) * 100) / 100,
      });
      figures.push(
        compared(
          `http-commands${suffix}`,
          'commands/s',
          results.get('http')!,
          'store append',
          results.get('store append')!,
        ),
      );
      if (floor && fastifyFloor) {
        figures.push(
          compared(
            'http-commands-vs-empty-route',
            'commands/s',
            results.get('http')!,
            FASTIFY_FLOOR,
            results.get(FASTIFY_FLOOR)!,
          ),
          compared(
            'http-floor-fastify',
            'requests/s',
            results.get(FASTIFY_FLOOR)!,
            EXPRESS_FLOOR,
            results.get(EXPRESS_FLOOR)!,
          ),
        );
        // What each adapter costs a request, against what a command costs (decision 29).
        const express = costs.get(EXPRESS_FLOOR)!;
        const fastify = costs.get(FASTIFY_FLOOR)!;
        const expressCpu = express.cpuMs / express.ops;
        const fastifyCpu = fastify.cpuMs / fastify.ops;
        figures.push({
          name: 'http-floor-fastify-cpu',
          value: Math.round(fastifyCpu * 1000) / 1000,
          unit: 'CPU ms/request',
          p50_ms: null,
          p99_ms: null,
          baseline: 'empty route on Express',
          baseline_value: Math.round(expressCpu * 1000) / 1000,
          ratio: Math.round((fastifyCpu / expressCpu) * 100) / 100,
        });
        ctx.log(
          `  the empty route's CPU per request is ${((fastifyCpu / cpuPerCommand) * 100).toFixed(0)}% of a ` +
            `command's on Fastify (the application's adapter); on Express it would be ` +
            `${((expressCpu / cpuPerCommand) * 100).toFixed(0)}%, ${(expressCpu - fastifyCpu).toFixed(3)} ms more a command`,
        );
      }
    }

    if (wanted.lag) {
      const { perSecond, commands, lighterPerSecond } = ctx.sizes.lag;
      const measureLag = async (rate: number, count: number) => {
        const settledMs = await app!.call<number>('settle');
        ctx.log(`  settled (e-mails sent, read models caught up) in ${(settledMs / 1000).toFixed(1)} s`);
        const visible = (position: number) => app!.call('waitForPosition', { position });
        await proposalsAndVisibility(api, parties, rate, Math.ceil(count / 4), visible);
        const before = await cpuOfEach(app!, background);
        const sample = await proposalsAndVisibility(api, parties, rate, count, visible);
        const busy = coresBusy(before, await cpuOfEach(app!, background), sample.elapsedMs);
        const lag = summarise([sample]);
        const answered = summarise([
          { ops: count, elapsedMs: sample.elapsedMs, latenciesMs: sample.answeredMs },
        ]);
        ctx.log(
          `  ${count} proposals at ${rate}/s, ${sample.failures} unanswered (answered in p50 ${answered.p50.toFixed(1)} ms, ` +
            `p99 ${answered.p99.toFixed(1)} ms): visible in the read models p50 ${lag.p50.toFixed(1)} ms, ` +
            `p99 ${lag.p99.toFixed(1)} ms after the answer`,
        );
        ctx.log(`  cores busy meanwhile: ${busy}`);
        return lag;
      };
      if (lighterPerSecond > 0) await measureLag(lighterPerSecond, lighterPerSecond * 10);
      const lag = await measureLag(perSecond, commands);
      figures.push(alone(`projection-lag${suffix}`, lag.p50, 'ms', lag.p50, lag.p99));
    }
    return figures;
  });
}

/** CPU time so far (ms) of the API, the projector and worker's process (split shape), PostgreSQL and this process. */
async function cpuOfEach(
  app: Remote,
  background: Remote | undefined,
): Promise<Record<string, number | undefined>> {
  const { user, system } = process.cpuUsage();
  return {
    API: (await app.call<Counters>('counters')).cpuMs,
    'projector and worker': background
      ? (await background.call<{ cpuMs: number }>('counters')).cpuMs
      : undefined,
    PostgreSQL: serverCpuMs(),
    'this client': (user + system) / 1000,
  };
}

/** Cores each kept busy between two readings of cpuOfEach over `elapsedMs`, as one line. */
function coresBusy(
  before: Record<string, number | undefined>,
  after: Record<string, number | undefined>,
  elapsedMs: number,
): string {
  return Object.keys(before)
    .filter((name) => before[name] !== undefined && after[name] !== undefined)
    .map((name) => `${name} ${((after[name]! - before[name]!) / elapsedMs).toFixed(2)}`)
    .join(', ');
}

const EXPRESS_FLOOR = 'empty NestJS route';
const FASTIFY_FLOOR = 'empty NestJS route on Fastify';

/**
 * The same requests, connections and duration against an empty route (every answer a 201), with the
 * CPU time of its process over the measured rounds.
 */
async function floorRun(
  label: string,
  floor: Remote,
  ids: readonly string[],
  attendee: string,
  connections: number,
  seconds: number,
  measured: (label: string, run: () => Promise<Sample>, on: Remote) => () => Promise<Sample>,
) {
  const api = await floor.call<AppInfo>('info');
  const workload = { last: new Map(), attendee };
  return {
    label,
    run: measured(label, () => commandLoad(api, ids, workload, connections, seconds), floor),
    warmup: () => commandLoad(api, ids, workload, connections, Math.max(1, seconds / 4)),
  };
}
