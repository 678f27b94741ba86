/**
 * The CPU a command costs below HTTP: the `http-commands` workload (schedule an introduction meeting with
 * an attendee, suspend, resume, in turn per partnership) sent straight to the CommandBus of the API as
 * `createApp` builds it with IN_PROCESS=none, 32 commands at a time, on PostgreSQL. Handlers, executor,
 * deciders, the personal-data layer, the store and node-postgres: what `http-commands-api-cpu` counts
 * besides the HTTP adapter, validation and the auth guard.
 *
 *   npx tsx bench/command-cpu.ts [--rounds 5] [--commands 3000] [--partnerships 640]
 *
 * Prints the process's CPU (user + system) per command in each round and their median. Run it in turns
 * with another checkout of the code to compare (the machine's load moves the figures from run to run).
 * PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of its
 * own dropped at the end; Redis at REDIS_URL (default local).
 */
import 'reflect-metadata';
import { loadConfig } from '@passerelle/config';
import { createSqlClient } from '@passerelle/database';
import type { CommandContext } from '@passerelle/application';
import { queuePrefixFor } from '@passerelle/notifications';
import { deleteQueueKeys } from '@passerelle/notifications/testing/queue-keys';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { compileWithDecoratorMetadata } from './lib/decorator-metadata';
import { closedLoop } from './lib/load';

const ACTOR = { sub: 'bench-officer', name: 'Bench Officer', roles: ['officer'] };

/** As the HTTP edge makes it for a request without Idempotency-Key or If-Match. */
const context = (target: string, body: unknown): CommandContext => ({
  actor: ACTOR,
  commandId: randomUUID(),
  requestHash: createHash('sha256').update(JSON.stringify({ target, body })).digest('hex'),
  correlationId: randomUUID(),
});

type Step = 'schedule' | 'suspend' | 'resume';
const NEXT: Record<Step, Step> = { schedule: 'suspend', suspend: 'resume', resume: 'schedule' };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      commands: { type: 'string', default: '3000' },
      partnerships: { type: 'string', default: '640' },
    },
  });
  const rounds = Number(values.rounds);
  const commands = Number(values.commands);
  const partnershipCount = Number(values.partnerships);
  const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  compileWithDecoratorMetadata();
  const { createApp, initApp } = await import('../apps/api/src/bootstrap');
  const { MeasuredCommandBus, PartnershipCommand, RegisterOrganizationCommand } =
    await import('@passerelle/application');
  const dataDir = mkdtempSync(join(tmpdir(), 'passerelle-bench-command-cpu-'));
  const schema = `bench_cmdcpu_${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    DATABASE_SCHEMA: schema,
    IN_PROCESS: 'none',
    JWT_SECRET: 'bench-secret-that-is-long-enough-0123456789',
    DATA_KEY: randomBytes(32).toString('base64'),
    SIGNING_KEY: Buffer.concat([
      Buffer.from('302e020100300506032b657004220420', 'hex'),
      randomBytes(32),
    ]).toString('base64'),
    DEMO_DATA: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'silent',
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  });
  const app = await initApp(await createApp(config, { logger: false }));
  const bus = app.get(MeasuredCommandBus);
  try {
    const party = async (country: 'US' | 'FR') => {
      const id = randomUUID();
      const body = {
        name: `${country} party ${id.slice(0, 8)}`,
        kind: country === 'US' ? 'ihub' : 'pole',
        country,
        region: country === 'US' ? 'California' : 'Provence-Alpes-Côte d’Azur',
        sectors: ['blue_economy'],
        contacts: [
          {
            name: `Contact ${country}`,
            email: `contact-${id.slice(0, 8)}@bench.example.${country === 'US' ? 'org' : 'fr'}`,
            language: country === 'US' ? 'en' : 'fr',
          },
        ],
      };
      await bus.execute(
        new RegisterOrganizationCommand(id, body as never, context('POST /organizations', body)),
      );
      return { id, email: body.contacts[0]!.email };
    };
    const us = await party('US');
    const fr = await party('FR');
    const ids = Array.from({ length: partnershipCount }, () => randomUUID());
    await closedLoop(16, ids.length, async (index) => {
      const data = {
        title: `Bench partnership ${index}`,
        parties: [us.id, fr.id],
        sectors: ['blue_economy'],
        axes: ['business_development'],
      };
      await bus.execute(
        new PartnershipCommand(ids[index]!, 'ProposePartnership', data as never, context('POST /p', data)),
      );
    });

    // Each command takes the partnership idle longest and does its next step: none is touched twice at once.
    const idle = [...ids];
    let head = 0;
    const last = new Map<string, Step>();
    const command = async () => {
      const id = idle[head++]!;
      const step = NEXT[last.get(id) ?? 'resume'];
      const target = `POST /api/partnerships/${id}/${step}`;
      if (step === 'schedule') {
        const data = {
          startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          timezone: 'America/Los_Angeles',
          attendees: [us.email],
          meetingId: randomUUID(),
        };
        await bus.execute(
          new PartnershipCommand(id, 'ScheduleIntroductionMeeting', data as never, context(target, data)),
        );
      } else if (step === 'suspend') {
        const data = { reason: 'Budget review by the regional council' };
        await bus.execute(new PartnershipCommand(id, 'SuspendPartnership', data, context(target, data)));
      } else {
        await bus.execute(new PartnershipCommand(id, 'ResumePartnership', {}, context(target, {})));
      }
      last.set(id, step);
      idle.push(id);
    };

    await closedLoop(32, commands, command);
    const perCommandUs: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await closedLoop(32, commands, command);
      const used = process.cpuUsage(cpu);
      const seconds = (performance.now() - started) / 1000;
      const us = (used.user + used.system) / commands;
      perCommandUs.push(us);
      console.log(
        `round ${round}/${rounds}: ${us.toFixed(1)} µs of CPU a command, ${Math.round(commands / seconds)} commands/s`,
      );
    }
    const sorted = [...perCommandUs].sort((a, b) => a - b);
    console.log(`median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} µs of CPU a command`);
  } finally {
    await app.close();
    await deleteQueueKeys(config.redisUrl, `${queuePrefixFor(config)}:`, config.redisSentinel);
    rmSync(dataDir, { recursive: true, force: true });
    const admin = await createSqlClient({ databaseUrl, schema: 'public' });
    await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
