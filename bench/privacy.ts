/**
 * What keeping personal data encrypted costs: the same log read with readAll through the
 * PersonalDataEventStore (decrypting every name and address) and straight from the SQL adapter
 * (ciphertext as stored), and appends with and without encryption.
 *
 *   npx tsx bench/privacy.ts [--events 50000] [--rounds 3] [--pglite]
 *
 * PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of
 * its own that is dropped at the end; --pglite for an in-memory PGlite instead.
 */
import { parseArgs } from 'node:util';
import { createSqlClient, migrate, type SqlClient } from '@passerelle/database';
import { eventStoreMigrations, type EventStore, SqlEventStore } from '@passerelle/event-store';
import {
  CachedPersonKeyStore,
  generateDataKey,
  MasterKey,
  PersonalDataEventStore,
  privacyMigrations,
  SqlPersonKeyStore,
} from '@passerelle/privacy';
import { type Append, organizationAppends, partnershipAppend } from './lib/domain-log';
import { benchName } from './lib/postgres';
import { compared, table } from './lib/report';
import { type Sample, summarise } from './lib/stats';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '3' },
    pglite: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(values.events);
const ROUNDS = Number(values.rounds);
const BATCH = 1000;
const URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const decorated = (client: SqlClient, stored: EventStore, master: MasterKey): EventStore =>
  new PersonalDataEventStore(
    stored,
    new CachedPersonKeyStore(new SqlPersonKeyStore(client, master)),
    (kind, value) => master.subjectOf(kind, value),
  );

/** Reads the whole log in batches; one latency per batch. */
async function readAll(store: EventStore): Promise<Sample> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  let ops = 0;
  for (let after = 0; ;) {
    const t = performance.now();
    const batch = await store.readAll({ after, maxCount: BATCH });
    latenciesMs.push(performance.now() - t);
    if (batch.length === 0) break;
    ops += batch.length;
    after = batch[batch.length - 1]!.position;
  }
  return { ops, elapsedMs: performance.now() - started, latenciesMs };
}

/** Appends the given streams one after the other; one latency per append. */
async function appendAll(store: EventStore, appends: readonly Append[]): Promise<Sample> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  let ops = 0;
  for (const { streamId, events } of appends) {
    const t = performance.now();
    await store.appendToStream(streamId, events, 'any');
    latenciesMs.push(performance.now() - t);
    ops += events.length;
  }
  return { ops, elapsedMs: performance.now() - started, latenciesMs };
}

function partnerships(events: number): Append[] {
  const appends: Append[] = [];
  for (let n = 0, total = 0; total < events; n++) {
    const append = partnershipAppend(n);
    appends.push(append);
    total += append.events.length;
  }
  return appends;
}

async function main(): Promise<void> {
  const schema = benchName('privacy');
  const client = await createSqlClient(
    values.pglite ? { dataDir: 'memory://', schema } : { databaseUrl: URL, schema, maxConnections: 4 },
  );
  try {
    await migrate(client, [...eventStoreMigrations, ...privacyMigrations]);
    const master = MasterKey.fromText(generateDataKey());
    const stored = new SqlEventStore(client);
    const personal = decorated(client, stored, master);

    // The log: organisations and partnerships as the application writes them, encrypted.
    await appendAll(personal, organizationAppends());
    const seeded = await appendAll(personal, partnerships(EVENTS));
    const withPersonalData = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM events WHERE data::text LIKE '%"pii:v1:%'`,
    );
    console.log(
      `${values.pglite ? 'PGlite' : 'PostgreSQL'}: ${seeded.ops} events, ${withPersonalData[0]!.n} of them with encrypted fields`,
    );

    const plain: Sample[] = [];
    const warm: Sample[] = [];
    const cold: Sample[] = [];
    const warmStore = decorated(client, stored, master);
    await readAll(warmStore);
    for (let round = 0; round < ROUNDS; round++) {
      plain.push(await readAll(stored));
      warm.push(await readAll(warmStore));
      // A fresh cache: every key is fetched (once per batch that needs it) and unwrapped.
      cold.push(await readAll(decorated(client, stored, master)));
    }

    // Appends: the same partnership lives, encrypted or not, to streams of their own.
    const appendPlain: Sample[] = [];
    const appendEncrypted: Sample[] = [];
    const appendCount = Math.max(20, Math.round(EVENTS / 16 / 20));
    for (let round = 0; round < ROUNDS; round++) {
      appendPlain.push(await appendAll(stored, partnerships(appendCount * 16)));
      appendEncrypted.push(await appendAll(personal, partnerships(appendCount * 16)));
    }

    const figures = [
      compared(
        'readAll, decrypting (warm caches)',
        'events/s',
        summarise(warm),
        'as stored',
        summarise(plain),
      ),
      compared(
        'readAll, decrypting (cold caches)',
        'events/s',
        summarise(cold),
        'as stored',
        summarise(plain),
      ),
      compared(
        'append, encrypting',
        'events/s',
        summarise(appendEncrypted),
        'in clear',
        summarise(appendPlain),
      ),
    ];
    console.log(table(figures));
  } finally {
    if (!values.pglite) await client.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
