/**
 * Where an append's time goes, against raw INSERTs: 16 writers, one event to a new stream (the `append`
 * figure's load), in turns in one process. For each round: appends/s, this process's CPU per append,
 * the PostgreSQL server's CPU per append (every `postgres` process of this machine, from /proc: run it
 * against a local server on a quiet machine), and how many cores the two kept busy together. A side
 * that uses less CPU per append and fewer cores than the other, yet appends fewer a second, is waiting
 * (commits, round trips), not computing.
 *
 *   npx tsx bench/append-cpu.ts [--ops 6000] [--rounds 3] [--writers 16]
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createSqlClient, migrate } from '@passerelle/database';
import { eventStoreMigrations, SqlEventStore } from '@passerelle/event-store';
import { closedLoop } from './lib/load';
import { newStreamId, suspensionEvent } from './lib/payload';
import { serverCpuMs } from './lib/server-cpu';
import { open as openRaw } from './systems/pg-raw';
import type { Load } from './systems/types';

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '6000' },
    rounds: { type: 'string', default: '3' },
    writers: { type: 'string', default: '16' },
  },
});
const ops = Number(values.ops);
const rounds = Number(values.rounds);
const writers = Number(values.writers);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
interface Contender {
  name: string;
  append(count: number): Promise<unknown>;
  close(): Promise<void>;
}

async function main(): Promise<void> {
  const tag = `append_cpu_${Date.now().toString(36)}`;
  const raw = await openRaw({ databaseUrl, schema: `${tag}_raw`, maxConnections: writers });
  const client = await createSqlClient({ databaseUrl, schema: `${tag}_ours`, maxConnections: writers });
  await migrate(client, eventStoreMigrations);
  const store = new SqlEventStore(client);
  const contenders: Contender[] = [
    {
      name: 'raw INSERT',
      append: (count) =>
        (raw.append as (load: Load) => Promise<unknown>)({ ops: count, concurrency: writers }),
      close: () => raw.close(),
    },
    {
      name: 'ours',
      append: (count) =>
        closedLoop(writers, count, async () => {
          const streamId = newStreamId();
          await store.appendToStream(streamId, [suspensionEvent(streamId)], 'no_stream');
        }),
      close: async () => {
        await store.close();
        await client.query(`DROP SCHEMA ${tag}_ours CASCADE`);
        await client.query(`DROP SCHEMA ${tag}_raw CASCADE`);
        await client.close();
      },
    },
  ];
  console.log(`append-cpu: ${writers} writers, ${ops} appends a round, ${rounds} rounds`);
  for (const contender of contenders) await contender.append(Math.ceil(ops / 4));
  const rates = new Map<string, number[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const contender of round % 2 === 1 ? contenders : [...contenders].reverse()) {
      const server = serverCpuMs() ?? 0;
      const cpu = process.cpuUsage();
      const started = performance.now();
      await contender.append(ops);
      const elapsedMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const clientMs = (used.user + used.system) / 1000;
      const serverMs = (serverCpuMs() ?? 0) - server;
      const rate = (ops / elapsedMs) * 1000;
      rates.set(contender.name, [...(rates.get(contender.name) ?? []), rate]);
      console.log(
        `  round ${round} ${contender.name.padEnd(10)} ${Math.round(rate).toLocaleString('en-US').padStart(6)}/s` +
          `  client ${Math.round((clientMs * 1000) / ops)} µs/append  server ${Math.round((serverMs * 1000) / ops)} µs/append` +
          `  ${((clientMs + serverMs) / elapsedMs).toFixed(2)} cores busy`,
      );
    }
  }
  const mean = (list: number[]) => list.reduce((sum, value) => sum + value, 0) / list.length;
  const ours = mean(rates.get('ours')!);
  const baseline = mean(rates.get('raw INSERT')!);
  console.log(
    `ours ${Math.round(ours)}/s, raw ${Math.round(baseline)}/s: ${(ours / baseline).toFixed(2)}× raw INSERTs`,
  );
  for (const contender of contenders) await contender.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
