/**
 * A full `/api/audit/verify` on a log of `--events` events (the growth suite's shape: organisations,
 * two partnerships of 5,000 events, ordinary partnerships of sixteen), against the store's own
 * `readAll` of the same log in the same process, in turns: events/s of each, and the process's peak
 * resident memory above what it held before (sampled every 20 ms).
 *
 *   npx tsx bench/verify.ts [--events 100000] [--rounds 3] [--keep <schema>]
 *
 * PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of
 * its own dropped at the end; `--keep <schema>` fills that schema once (its keys beside it in the
 * system's temporary directory) and leaves it for the next run.
 *
 * Also printed, per event verified: the CPU of this process (the API runs in it) and, when PostgreSQL runs
 * on this machine (Linux), of the database backends serving this process's connections.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createSqlClient } from '@passerelle/database';
import { SqlEventStore } from '@passerelle/event-store';
import { benchName } from './lib/postgres';
import { compileWithDecoratorMetadata } from './lib/decorator-metadata';
import type { AppInfo } from './systems/app';
import { open as openReadSide } from './systems/read-side';
import { open as openStore } from './systems/store';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    keep: { type: 'string' },
  },
});
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const events = Number(values.events);
const rounds = Number(values.rounds);
const schema = values.keep ?? benchName('verify');

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The deployment's environment; a kept schema keeps its keys (its signed heads and sealed fields). */
function environment(benchEnvironment: (url: string, schema: string) => Record<string, string>) {
  if (!values.keep) return benchEnvironment(databaseUrl, schema);
  const path = join(tmpdir(), `passerelle-bench-${schema}.json`);
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  const env = benchEnvironment(databaseUrl, schema);
  writeFileSync(path, JSON.stringify(env));
  return env;
}

const mb = (bytes: number) => bytes / 2 ** 20;

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU (ms) so far of each PostgreSQL backend serving one of this process's connections, by pid: the
 * process's TCP sockets to the server's port, matched to pg_stat_activity by client port, and their
 * /proc stat. Empty when that cannot be read (not Linux, or the server on another machine).
 */
async function backendCpu(): Promise<Map<number, number>> {
  const cpu = new Map<number, number>();
  try {
    const port = Number(new URL(databaseUrl).port || 5432);
    const inodes = new Set<string>();
    for (const fd of readdirSync('/proc/self/fd')) {
      const link = (() => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      })();
      const socket = /^socket:\[(\d+)\]$/.exec(link);
      if (socket) inodes.add(socket[1]!);
    }
    const ports: number[] = [];
    for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
      if (!existsSync(table)) continue;
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        if (fields.length < 10 || !inodes.has(fields[9]!)) continue;
        if (parseInt(fields[2]!.split(':')[1]!, 16) === port)
          ports.push(parseInt(fields[1]!.split(':')[1]!, 16));
      }
    }
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[])',
        [ports],
      );
      for (const { pid } of rows) {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
      }
    } finally {
      await client.end();
    }
  } catch {
    cpu.clear();
  }
  return cpu;
}

/** CPU (ms) the backends used between two readings; a backend that started in between counts whole. */
function backendCpuSince(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

async function main(): Promise<void> {
  // Nest needs the decorators' metadata, which tsx does not emit: the application is compiled as the tests are.
  compileWithDecoratorMetadata();
  const { benchEnvironment, open: openApp } = await import('./systems/app');
  const env = environment(benchEnvironment);
  try {
    const filler = await openStore({ databaseUrl, schema, maxConnections: 8 });
    const t0 = performance.now();
    const client = await createSqlClient({ databaseUrl, schema, maxConnections: 2 });
    const store = new SqlEventStore(client);
    const head = await store.headPosition();
    if (head < events) {
      const grown = (await filler.grow({ events, concurrency: 8, long: 2, longLength: 5000 } as never)) as {
        head: number;
      };
      console.log(
        `log: ${grown.head.toLocaleString('en-US')} events (${((performance.now() - t0) / 1000).toFixed(0)} s to fill)`,
      );
      const readSide = await openReadSide({ databaseUrl, schema });
      await readSide.rebuild({} as never);
      await readSide.close();
    } else {
      console.log(`log: ${head.toLocaleString('en-US')} events (kept)`);
    }
    await filler.close();

    const app = await openApp({ env: { ...env, IN_PROCESS: 'projections' } });
    try {
      const api = (await app.info({} as never)) as AppInfo;
      await app.settle({ mail: false } as never);
      const memory = (stopPeak = false) =>
        app.memory({ stopPeak } as never) as Promise<{ rssMb: number; peakRssMb: number }>;
      const measured = async (work: () => Promise<number>) => {
        global.gc?.();
        await app.resetPeakMemory({} as never);
        const before = await memory();
        const backendsBefore = await backendCpu();
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        const count = await work();
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const backendMs = backendCpuSince(backendsBefore, await backendCpu());
        const after = await memory(true);
        return {
          perSecond: count / seconds,
          seconds,
          extraMb: after.peakRssMb - before.rssMb,
          count,
          processUs: (cpu.user + cpu.system) / count,
          databaseUs: (backendMs * 1000) / count,
        };
      };
      const readAll = async () => {
        let count = 0;
        for (let after = 0; ;) {
          const batch = await store.readAll({ after, maxCount: 1000 });
          if (batch.length === 0) return count;
          count += batch.length;
          after = batch[batch.length - 1]!.position;
        }
      };
      const verify = async () => {
        const response = await fetch(`${api.url}/api/audit/verify`, {
          headers: { authorization: `Bearer ${api.auditToken}` },
        });
        const report = (await response.json()) as { ok: boolean; checkedEvents: number; problems: unknown[] };
        if (!response.ok || !report.ok) {
          throw new Error(`verify answered ${response.status}: ${JSON.stringify(report).slice(0, 2000)}`);
        }
        return report.checkedEvents;
      };
      for (let round = 1; round <= rounds; round++) {
        const base = await measured(readAll);
        const full = await measured(verify);
        console.log(
          `round ${round}: readAll ${Math.round(base.perSecond).toLocaleString('en-US')} events/s ` +
            `(+${base.extraMb.toFixed(0)} MB); verify ${full.count.toLocaleString('en-US')} events in ` +
            `${full.seconds.toFixed(2)} s, ${Math.round(full.perSecond).toLocaleString('en-US')} events/s ` +
            `(+${full.extraMb.toFixed(0)} MB peak), ${(full.perSecond / base.perSecond).toFixed(2)}× readAll; ` +
            `CPU per event: process ${full.processUs.toFixed(1)} µs, database ${full.databaseUs.toFixed(1)} µs ` +
            `(readAll ${base.processUs.toFixed(1)} + ${base.databaseUs.toFixed(1)} µs)`,
        );
      }
      console.log(`process resident ${mb(process.memoryUsage.rss()).toFixed(0)} MB`);
    } finally {
      await client.close();
      await app.close();
    }
  } finally {
    if (!values.keep) await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
