/**
 * How long `npm run rotate-keys` takes: a database holding N people's keys (wrapped by the old
 * DATA_KEY) and some signed heads is moved to a new DATA_KEY and a new SIGNING_KEY with the same
 * library call the script makes (rotateKeys: the signing key in one transaction, then the person keys
 * re-wrapped in batches, each batch committed with its checkpoint).
 *
 *   npx tsx bench/key-rotation.ts [--people 10000] [--batch-size 500] [--pglite]
 *
 * PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of
 * its own that is dropped at the end; --pglite for an in-memory PGlite instead.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createSqlClient, migrate } from '@passerelle/database';
import { eventStoreMigrations } from '@passerelle/event-store';
import {
  DataKeyRing,
  generateDataKey,
  generateSigningKey,
  KEY_BYTES,
  MasterKey,
  openDataKeys,
  openSigningKeys,
  privacyMigrations,
  rotateKeys,
  SigningKeyRing,
} from '@passerelle/privacy';
import { benchName } from './lib/postgres';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '10000' },
    'batch-size': { type: 'string', default: '500' },
    pglite: { type: 'boolean', default: false },
  },
});
const PEOPLE = Number(values.people);
const BATCH = Number(values['batch-size']);
const URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function main(): Promise<void> {
  const schema = benchName('rotation');
  const client = await createSqlClient(
    values.pglite ? { dataDir: 'memory://', schema } : { databaseUrl: URL, schema, maxConnections: 4 },
  );
  try {
    await migrate(client, [...eventStoreMigrations, ...privacyMigrations]);
    const [oldData, oldSigning] = [generateDataKey(), generateSigningKey()];
    const old = MasterKey.fromText(oldData);
    await openDataKeys(client, new DataKeyRing(old));
    await openSigningKeys(client, SigningKeyRing.fromText(oldSigning));

    // N people, keys wrapped by the old DATA_KEY as the key store writes them.
    for (let done = 0; done < PEOPLE; done += 1000) {
      const rows = Array.from({ length: Math.min(1000, PEOPLE - done) }, () => {
        const keyId = randomUUID();
        return {
          key_id: keyId,
          subject: randomBytes(32).toString('hex'),
          wrapped_key: old.wrap(keyId, randomBytes(KEY_BYTES)),
        };
      });
      await client.query(
        `INSERT INTO person_keys (key_id, subject, wrapped_key, wrapped_by)
         SELECT key_id, subject, wrapped_key, $2 FROM jsonb_to_recordset($1::text::jsonb)
           AS r(key_id uuid, subject text, wrapped_key text)`,
        [JSON.stringify(rows), old.fingerprint],
      );
    }

    const ring = { data: DataKeyRing.fromText(generateDataKey(), oldData) };
    const signing = SigningKeyRing.fromText(generateSigningKey(), oldSigning);
    const started = performance.now();
    const report = await rotateKeys(client, { ...ring, signing }, { batchSize: BATCH });
    const elapsedMs = performance.now() - started;
    const [left] = await client.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM person_keys WHERE wrapped_by IS DISTINCT FROM $1',
      [ring.data.current.fingerprint],
    );
    if (left!.n !== 0 || report.data?.rewrapped !== PEOPLE) {
      throw new Error(`rotation incomplete: ${left!.n} keys left, ${report.data?.rewrapped} re-wrapped`);
    }
    console.log(
      `${values.pglite ? 'PGlite' : 'PostgreSQL'}: ${PEOPLE} person keys re-wrapped and the signing key rotated in ` +
        `${(elapsedMs / 1000).toFixed(2)} s (${Math.round(PEOPLE / (elapsedMs / 1000))} keys/s, batches of ${BATCH})`,
    );
  } finally {
    if (!values.pglite) await client.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
