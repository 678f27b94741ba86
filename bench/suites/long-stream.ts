import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { BenchContext } from '../lib/context';
import { using } from '../lib/context';
import { closedLoop } from '../lib/load';
import type { Figure } from '../lib/report';
import { summarise, type Sample } from '../lib/stats';
import { benchEnvironment, type AppInfo, type Counters } from '../systems/app';

const round = (value: number) => Math.round(value * 100) / 100;

/** The reads of a long partnership measured, each by one client at a time. */
const READS = {
  history: (id: string) => `/api/partnerships/${id}/history`,
  'state-as-of': (id: string, i: number) => `/api/partnerships/${id}/state?asOf=${2000 + i}`,
  state: (id: string) => `/api/partnerships/${id}/state`,
} as const;
type Read = keyof typeof READS;

/**
 * A bare node:http server in a process of its own answering every GET with `body`, read by the same
 * client as the application's answers: the floor of sending these bytes on this machine now. Answers
 * the samples (one client at a time).
 */
async function floor(body: Buffer, rounds: number, samples: number): Promise<Sample[]> {
  const server = spawn(
    process.execPath,
    [
      '-e',
      `const body = Buffer.from(require('node:fs').readFileSync(0));
       const server = require('node:http').createServer((request, response) => {
         response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
         response.end(body);
       });
       server.listen(0, '127.0.0.1', () => console.log(server.address().port));`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  server.stdin.end(body);
  const [port] = (await once(server.stdout, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${port.toString().trim()}/`;
  const get = async () => {
    const text = await (await fetch(url)).text();
    if (text.length === 0) throw new Error('the floor answered nothing');
  };
  try {
    const measured: Sample[] = [];
    for (let round = 0; round < rounds; round++) {
      await closedLoop(1, Math.max(1, Math.ceil(samples / 20)), get);
      measured.push(await closedLoop(1, Math.ceil(samples / 2), get));
    }
    return measured;
  } finally {
    server.kill();
  }
}

/**
 * `/history`, `/state?asOf=` and `/state` of a partnership of 5,000 events (the growth curves' long
 * partnership; `longLength` in the sizes), with the long streams kept in memory (decision 0018) and,
 * in turns in the same run, without (`STREAM_CACHE_EVENTS=0` and `HISTORY_CACHE_BYTES=0`: every read
 * from the store, as before); `/history` also with the streams kept but not its encoded answer
 * (`HISTORY_CACHE_BYTES=0`, as before decision 0018's point 6).
 * Each round starts a fresh application for each; p50/p99 over every round. Goal: p99 ≤ 50 ms.
 * LONG_STREAM_SAMPLES sets how many requests are timed (half per read and round).
 */
export async function longStream(ctx: BenchContext): Promise<Figure[]> {
  const { longLength } = ctx.sizes.growth;
  // LONG_STREAM_SAMPLES: requests timed per read, round and variant together (default: the growth curves').
  const samples = Number(process.env.LONG_STREAM_SAMPLES ?? ctx.sizes.growth.samples);
  const schema = ctx.scratch.schema('long_stream');
  const env = { ...benchEnvironment(ctx.databaseUrl, schema), IN_PROCESS: 'projections' };
  const grown = await using(
    [ctx.open('store', { databaseUrl: ctx.databaseUrl, schema, maxConnections: 4 })],
    ([filler]) =>
      filler!.call<{ long: string[] }>('grow', { events: longLength, concurrency: 4, long: 1, longLength }),
  );
  const stream = grown.long[0]!;
  const id = stream.slice(stream.indexOf('-') + 1);
  const all = Object.keys(READS) as Read[];
  const variants: Record<string, { env: Record<string, string>; reads: Read[] }> = {
    cached: { env: {}, reads: all },
    'streams-only': { env: { HISTORY_CACHE_BYTES: '0' }, reads: ['history'] },
    uncached: { env: { STREAM_CACHE_EVENTS: '0', HISTORY_CACHE_BYTES: '0' }, reads: all },
  };
  const latencies: Record<string, Sample[]> = {};
  // The API process's CPU time over the timed requests, per read and variant: it does not depend on how
  // busy the machine is, as latencies on a shared machine do.
  const cpu: Record<string, { ms: number; requests: number }> = {};
  let answer: Buffer | undefined;
  for (let round = 0; round < ctx.sizes.rounds; round++) {
    for (const [variant, { env: extra, reads }] of Object.entries(variants)) {
      await using([ctx.open('app', { env: { ...env, ...extra } })], async ([app]) => {
        const api = await app!.call<AppInfo>('info');
        await app!.call('settle', { mail: false });
        for (const read of reads) {
          const path = READS[read];
          const get = async (i: number) => {
            const send = () =>
              fetch(`${api.url}${path(id, i)}`, { headers: { authorization: `Bearer ${api.token}` } });
            // A kept-alive connection the server closed as the next GET went out (a busy client can take
            // longer than the server's keep-alive timeout to read 3 MB): that GET again, once.
            const response = await send().catch((error: unknown) => {
              if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
              return send();
            });
            const text = await response.text();
            if (!response.ok) throw new Error(`GET ${path(id, i)}: ${response.status} ${text.slice(0, 300)}`);
            if (read === 'history') answer ??= Buffer.from(text, 'utf8');
          };
          await closedLoop(1, Math.max(1, Math.ceil(samples / 20)), get); // warm-up (the first read fills the cache)
          const before = await app!.call<Counters>('counters');
          const sample = await closedLoop(1, Math.ceil(samples / 2), get);
          const after = await app!.call<Counters>('counters');
          (latencies[`${read} ${variant}`] ??= []).push(sample);
          const spent = (cpu[`${read} ${variant}`] ??= { ms: 0, requests: 0 });
          spent.ms += after.cpuMs - before.cpuMs;
          spent.requests += sample.ops;
          const summary = summarise([sample]);
          ctx.log(
            `  round ${round + 1}, ${variant}: ${read} p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms`,
          );
        }
      });
    }
  }
  const figures: Figure[] = all.map((read) => {
    const ours = summarise(latencies[`${read} cached`]!);
    const before = summarise(latencies[`${read} uncached`]!);
    ctx.log(
      `  ${read}: p50 ${ours.p50.toFixed(1)} / p99 ${ours.p99.toFixed(1)} ms, ` +
        `without the cache ${before.p50.toFixed(1)} / ${before.p99.toFixed(1)} ms (p99 ${(ours.p99 / before.p99).toFixed(2)}×)`,
    );
    return {
      name: `long-stream-${read}`,
      value: round(ours.p99),
      unit: 'ms',
      p50_ms: round(ours.p50),
      p99_ms: round(ours.p99),
      baseline: 'p99 without the stream cache',
      baseline_value: round(before.p99),
      ratio: round(ours.p99 / before.p99),
    };
  });
  const cpuPer = (key: string) => cpu[key]!.ms / cpu[key]!.requests;
  for (const key of Object.keys(cpu))
    ctx.log(`  ${key}: ${cpuPer(key).toFixed(2)} ms of the API's CPU per request`);
  figures.push({
    name: 'long-stream-history-api-cpu',
    value: round(cpuPer('history cached')),
    unit: 'CPU ms/request',
    p50_ms: null,
    p99_ms: null,
    baseline: 'with the stream cache but not the encoded answer (HISTORY_CACHE_BYTES=0)',
    baseline_value: round(cpuPer('history streams-only')),
    ratio: round(cpuPer('history cached') / cpuPer('history streams-only')),
  });
  const kept = summarise(latencies['history cached']!);
  const bare = summarise(await floor(answer!, ctx.sizes.rounds, samples));
  ctx.log(
    `  the same ${(answer!.length / 1e6).toFixed(1)} MB from a bare node:http server: p50 ${bare.p50.toFixed(1)} / p99 ${bare.p99.toFixed(1)} ms ` +
      `(answer kept: p99 ${(kept.p99 / bare.p99).toFixed(2)}×)`,
  );
  figures.push({
    name: 'long-stream-history-floor',
    value: round(kept.p99),
    unit: 'ms',
    p50_ms: round(kept.p50),
    p99_ms: round(kept.p99),
    baseline: 'p99 of the same bytes from a bare node:http server, same client',
    baseline_value: round(bare.p99),
    ratio: round(kept.p99 / bare.p99),
  });
  const streamsOnly = summarise(latencies['history streams-only']!);
  ctx.log(
    `  history, streams kept but not the answer: p50 ${streamsOnly.p50.toFixed(1)} / p99 ${streamsOnly.p99.toFixed(1)} ms ` +
      `(answer kept: p99 ${(kept.p99 / streamsOnly.p99).toFixed(2)}×)`,
  );
  figures.push({
    name: 'long-stream-history-answer-kept',
    value: round(kept.p99),
    unit: 'ms',
    p50_ms: round(kept.p50),
    p99_ms: round(kept.p99),
    baseline: 'p99 with the stream cache but not the encoded answer (HISTORY_CACHE_BYTES=0)',
    baseline_value: round(streamsOnly.p99),
    ratio: round(kept.p99 / streamsOnly.p99),
  });
  return figures;
}
