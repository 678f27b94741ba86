/**
 * Where the one PGlite connection of the embedded default goes: `npx tsx bench/embedded-trace.ts
 * [proposals] [clients]` starts the application as `npm start` builds it (PGlite in a scratch DATA_DIR,
 * everything in one process), proposes partnerships over HTTP from `clients` clients at once, waits
 * for the read models and the e-mail dispatcher to catch up, and prints, by caller, how many
 * statements ran on the connection, how long they held it, and how many of them per command. The
 * callers are told apart by lane (an HTTP request's work) and by statement (a subscription's read of
 * the log, a head query, a processor's transaction, named by the checkpoint it moves).
 */
import 'reflect-metadata';
import { PGlite } from '@electric-sql/pglite';
import { loadConfig } from '@passerelle/config';
import { currentLane } from '@passerelle/database';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import type { EventStore } from '@passerelle/event-store';
import { compileWithDecoratorMetadata } from './lib/decorator-metadata';
import { post, proposal, registerParties } from './lib/http';
import { closedLoop } from './lib/load';
import { summarise } from './lib/stats';

interface Tally {
  statements: number;
  ms: number;
  /** Transactions: how many, and how long they held the connection from BEGIN to COMMIT. */
  transactions: number;
  heldMs: number;
  longestMs: number;
}

const tallies = new Map<string, Tally>();
let tracing = false;

function tally(caller: string): Tally {
  let found = tallies.get(caller);
  if (!found) {
    found = { statements: 0, ms: 0, transactions: 0, heldMs: 0, longestMs: 0 };
    tallies.set(caller, found);
  }
  return found;
}

/** Who sent a statement outside a transaction. */
function callerOf(sql: string): string {
  if (currentLane() === 'foreground') return `http: ${sql.replace(/\s+/g, ' ').slice(0, 50)}`;
  if (/FROM events\s+WHERE global_position > \$1/.test(sql)) return 'read of the log';
  if (/max\(global_position\)/.test(sql)) return 'head query';
  if (/pg_notify/.test(sql)) return 'notify';
  if (/FROM processor_checkpoints WHERE name = ANY/.test(sql)) return 'progress refresh';
  if (/UPDATE processor_checkpoints SET position/.test(sql)) return 'reactor checkpoint';
  return `other: ${sql.replace(/\s+/g, ' ').slice(0, 60)}`;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  exec(sql: string): Promise<unknown>;
}

const proto = PGlite.prototype as unknown as Queryable & {
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
};
const query = proto.query;
const exec = proto.exec;
const transaction = proto.transaction;

async function timed<T>(caller: () => string, run: () => Promise<T>): Promise<T> {
  if (!tracing) return run();
  const t0 = performance.now();
  try {
    return await run();
  } finally {
    const entry = tally(caller());
    entry.statements += 1;
    entry.ms += performance.now() - t0;
  }
}

proto.query = function (this: Queryable, sql: string, params?: unknown[]) {
  return timed(
    () => callerOf(sql),
    () => query.call(this, sql, params),
  );
};
proto.exec = function (this: Queryable, sql: string) {
  return timed(
    () => callerOf(sql),
    () => exec.call(this, sql),
  );
};
proto.transaction = function <T>(this: Queryable, work: (tx: Queryable) => Promise<T>): Promise<T> {
  const lane = currentLane();
  return transaction.call<Queryable, [(tx: Queryable) => Promise<T>], Promise<T>>(this, async (tx) => {
    const t0 = performance.now();
    let caller = lane === 'foreground' ? 'http request (transaction)' : 'transaction';
    let statements = 0;
    let ms = 0;
    const wrapped: Queryable = {
      query: async (sql, params) => {
        if (statements === 0 && lane !== 'foreground') {
          const name = /UPDATE processor_checkpoints SET position/.test(sql) ? params?.[0] : undefined;
          caller = name ? `processor ${String(name)} (transaction)` : `transaction: ${sql.slice(0, 50)}`;
        }
        const s0 = performance.now();
        try {
          return await tx.query(sql, params);
        } finally {
          statements += 1;
          ms += performance.now() - s0;
        }
      },
      exec: async (sql) => {
        const s0 = performance.now();
        try {
          return await tx.exec(sql);
        } finally {
          statements += 1;
          ms += performance.now() - s0;
        }
      },
    };
    try {
      return await work(wrapped);
    } finally {
      if (tracing) {
        const held = performance.now() - t0;
        const entry = tally(caller);
        entry.transactions += 1;
        entry.statements += statements + 2;
        entry.ms += ms;
        entry.heldMs += held;
        entry.longestMs = Math.max(entry.longestMs, held);
      }
    }
  });
};

async function main(): Promise<void> {
  const proposals = Number(process.argv[2] ?? 300);
  const clients = Number(process.argv[3] ?? 32);
  const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-trace-'));
  const secret = 'bench-secret-that-is-long-enough-0123456789';
  compileWithDecoratorMetadata();
  const { embeddedEnvironment } = await import('./systems/app');
  const env = { ...embeddedEnvironment(), JWT_SECRET: secret, DATA_DIR: dataDir };
  const { createApp } = await import('../apps/api/src/bootstrap');
  const { ReadModels } = await import('../apps/api/src/read-models/read-models.service');
  const { mintToken } = await import('@passerelle/application');
  const { EVENT_STORE } = await import('@passerelle/event-store');
  const app = await createApp(loadConfig(env), { logger: false });
  await app.listen(0, '127.0.0.1');
  try {
    const { port } = app.getHttpServer().address() as AddressInfo;
    const token = await mintToken(secret, { sub: 'trace', name: 'Trace', roles: ['officer'] });
    const api = { url: `http://127.0.0.1:${port}`, token };
    const store = app.get<EventStore>(EVENT_STORE);
    const readModels = app.get(ReadModels);
    const { parties } = await registerParties(api, 1);
    await closedLoop(clients, 64, (index) => post(api, '/api/partnerships', proposal(parties, index)));
    await readModels.waitForPosition(await store.headPosition(), 60_000);

    tracing = true;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const sample = await closedLoop(clients, proposals, (index) =>
      post(api, '/api/partnerships', proposal(parties, index)),
    );
    const answeredMs = performance.now() - t0;
    await readModels.waitForPosition(await store.headPosition(), 120_000);
    const settledMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    tracing = false;

    const stats = summarise([sample]);
    console.log(
      `${proposals} proposals, ${clients} clients: ${((proposals / answeredMs) * 1000).toFixed(0)}/s, ` +
        `p50 ${stats.p50.toFixed(0)} ms, p99 ${stats.p99.toFixed(0)} ms, slowest ` +
        `${Math.max(...sample.latenciesMs).toFixed(0)} ms; all answered in ${answeredMs.toFixed(0)} ms, ` +
        `read models caught up at ${settledMs.toFixed(0)} ms; process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`,
    );
    const rows = [...tallies.entries()].sort((a, b) => b[1].ms + b[1].heldMs - (a[1].ms + a[1].heldMs));
    let statements = 0;
    let busyMs = 0;
    console.log(
      `${'caller'.padEnd(48)} ${'stmts'.padStart(7)} ${'/cmd'.padStart(6)} ${'stmt ms'.padStart(8)} ` +
        `${'tx'.padStart(5)} ${'held ms'.padStart(8)} ${'longest'.padStart(8)}`,
    );
    for (const [caller, t] of rows) {
      statements += t.statements;
      busyMs += t.transactions > 0 ? t.heldMs : t.ms;
      console.log(
        `${caller.slice(0, 48).padEnd(48)} ${String(t.statements).padStart(7)} ` +
          `${(t.statements / proposals).toFixed(2).padStart(6)} ${t.ms.toFixed(0).padStart(8)} ` +
          `${String(t.transactions).padStart(5)} ${t.heldMs.toFixed(0).padStart(8)} ${t.longestMs.toFixed(1).padStart(8)}`,
      );
    }
    console.log(
      `all: ${statements} statements (${(statements / proposals).toFixed(1)} per command), ` +
        `connection held ${busyMs.toFixed(0)} ms (${(busyMs / proposals).toFixed(2)} ms per command)`,
    );
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
