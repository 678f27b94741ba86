/**
 * What keeping personal data encrypted costs: the same log read with readAll through the
 * PersonalDataEventStore (decrypting every name and address) and straight from the SQL adapter
 * (ciphertext as stored), and appends with and without encryption. Then the read models' side
 * (decision 0005): `PartnershipsQuery.get` over rows that keep attendees and signers sealed and open
 * them when read, against the same rows projected in clear as they were before.
 *
 *   npx tsx bench/privacy.ts [--events 50000] [--rounds 3] [--gets 2000] [--pglite]
 *
 * PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of
 * its own that is dropped at the end; --pglite for an in-memory PGlite instead.
 */
import { parseArgs } from 'node:util';
import { createSqlClient, migrate, type SqlClient } from '@passerelle/database';
import { eventStoreMigrations, type EventStore, SqlEventStore } from '@passerelle/event-store';
import type { SubjectKind } from '@passerelle/domain';
import {
  CachedPersonKeyStore,
  generateDataKey,
  MasterKey,
  PersonalDataEventStore,
  PersonalValues,
  privacyMigrations,
  SqlPersonKeyStore,
} from '@passerelle/privacy';
import {
  organizationsProjection,
  PartnershipsQuery,
  partnershipsProjection,
  rebuildProjection,
} from '@passerelle/read-models';
import { type Append, organizationAppends, partnershipAppend } from './lib/domain-log';
import { benchName } from './lib/postgres';
import { compared, type Figure, table } from './lib/report';
import { type Sample, summarise } from './lib/stats';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '3' },
    gets: { type: 'string', default: '2000' },
    pglite: { type: 'boolean', default: false },
  },
});
const GETS = Number(values.gets);
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
    const seededAppends = partnerships(EVENTS);
    const seededIds = seededAppends.map((append) => append.streamId.slice('partnership-'.length));
    const seeded = await appendAll(personal, seededAppends);
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
    figures.push(...(await readModelGets(client, stored, master, seededIds)));
    console.log(table(figures));
  } finally {
    if (!values.pglite) await client.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.close();
  }
}

/** Reads partnerships one by one, in a fixed order; one latency per read. */
async function gets(query: PartnershipsQuery, ids: readonly string[]): Promise<Sample> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  for (const id of ids) {
    const t = performance.now();
    if (!(await query.get(id))) throw new Error(`No partnership ${id}`);
    latenciesMs.push(performance.now() - t);
  }
  return { ops: ids.length, elapsedMs: performance.now() - started, latenciesMs };
}

/**
 * The partnerships projection (and the organisations it names) built twice beside the log: in clear (as before decision 0005, from the
 * decrypting store) and sealed (from the events as stored); then `get` on each, the sealed rows opened
 * with warm caches and with cold ones (every read fetches its keys and decrypts).
 */
async function readModelGets(
  events: SqlClient,
  stored: EventStore,
  master: MasterKey,
  partnershipIds: readonly string[],
): Promise<Figure[]> {
  const open = (schema: string) =>
    createSqlClient(
      values.pglite ? { dataDir: 'memory://', schema } : { databaseUrl: URL, schema, maxConnections: 4 },
    );
  const clearSchema = benchName('privacy_rm_clear');
  const sealedSchema = benchName('privacy_rm_sealed');
  const inClear = await open(clearSchema);
  const sealed = await open(sealedSchema);
  try {
    for (const projection of [organizationsProjection, partnershipsProjection]) {
      await rebuildProjection({ client: inClear, store: decorated(events, stored, master), projection });
      await rebuildProjection({ client: sealed, store: stored, projection });
    }
    const keys = () => new CachedPersonKeyStore(new SqlPersonKeyStore(events, master));
    const subjectOf = (kind: SubjectKind, value: string) => master.subjectOf(kind, value);
    const warmValues = new PersonalValues(keys(), subjectOf);
    const clearQuery = new PartnershipsQuery(inClear);
    const warmQuery = new PartnershipsQuery(sealed, (v) => warmValues.opener(v));
    // A fresh key store and value cache per read: the worst case, every key fetched and unwrapped.
    const coldQuery = new PartnershipsQuery(sealed, (v) => new PersonalValues(keys(), subjectOf).opener(v));
    // Fixed order, every id in turn (a reading that repeats few ids would only measure the caches).
    const ids = Array.from({ length: GETS }, (_, n) => partnershipIds[(n * 7919) % partnershipIds.length]!);
    const sample = (await warmQuery.get(ids[0]!))!;
    const attendees = sample.meetings[0]?.attendees[0]?.email ?? '';
    if (attendees.startsWith('pii:')) throw new Error('The sealed rows were not opened');
    await gets(warmQuery, ids);
    const clear: Sample[] = [];
    const warm: Sample[] = [];
    const cold: Sample[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      clear.push(await gets(clearQuery, ids));
      warm.push(await gets(warmQuery, ids));
      cold.push(await gets(coldQuery, ids));
    }
    return [
      compared(
        'partnership get, sealed rows (warm caches)',
        'reads/s',
        summarise(warm),
        'rows in clear',
        summarise(clear),
      ),
      compared(
        'partnership get, sealed rows (cold caches)',
        'reads/s',
        summarise(cold),
        'rows in clear',
        summarise(clear),
      ),
    ];
  } finally {
    if (!values.pglite) {
      await inClear.exec(`DROP SCHEMA IF EXISTS ${clearSchema} CASCADE`);
      await sealed.exec(`DROP SCHEMA IF EXISTS ${sealedSchema} CASCADE`);
    }
    await inClear.close();
    await sealed.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
