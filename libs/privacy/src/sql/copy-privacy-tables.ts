import { migrate, type SqlClient } from '@passerelle/database';
import { KeyConfigError } from '../master-key';
import { privacyMigrations } from './migrations';
import { copyRotationTables, type RotationTable } from '../rotation/copy-rotation-tables';

/** The tables that make a copied log readable and verifiable, in the order they are copied. */
export const PRIVACY_TABLES = [
  'data_key_check',
  'forgotten_subjects',
  'person_keys',
  'signed_heads',
] as const;
export type PrivacyTable = (typeof PRIVACY_TABLES)[number];

export interface TableCopy {
  /** Rows the target did not have. */
  copied: number;
  /** Rows the target already had, the same. */
  alreadyThere: number;
  /** Rows the target already had otherwise (another key for the subject, another head at the position): kept as they were. */
  differing: number;
  /** Rows left out: keys of subjects the target has forgotten; heads whose position holds another event in the target. */
  skipped: number;
}

export interface PrivacyCopyResult {
  /**
   * Absent when the source has no such table (a log written before it existed, or by another tool);
   * the key rotation tables only when the source has rows in them (see copyRotationTables).
   */
  tables: Partial<Record<PrivacyTable | RotationTable, TableCopy>>;
  /** Keys deleted from the target because their subject is forgotten (forgotten in the source since a previous copy). */
  keysErased: number;
}

export interface PrivacyCopyOptions {
  /**
   * Copy signed_heads: only when both databases also hold the event logs (SQL adapter), the target's
   * copied at the same positions. A head is copied when the event at its position in the target is
   * the one at that position in the source; EventStoreDB positions never are.
   */
  signedHeads: boolean;
  /** Rows per statement; default 1000. */
  batchSize?: number;
}

/** The data key fingerprint recorded in a database, null when none (or no table). */
async function fingerprintOf(client: SqlClient): Promise<string | null> {
  if (!(await hasTable(client, 'data_key_check'))) return null;
  const [row] = await client.query<{ fingerprint: string }>('SELECT fingerprint FROM data_key_check');
  return row?.fingerprint ?? null;
}

async function hasTable(client: SqlClient, table: PrivacyTable): Promise<boolean> {
  const [row] = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
    table,
  ]);
  return row!.found;
}

/**
 * Refuses to copy between databases written with different master keys (DATA_KEY): the source's
 * wrapped keys would not open in the target's deployment, nor the target's in the source's.
 */
export async function checkSameDataKey(source: SqlClient, target: SqlClient): Promise<void> {
  const [from, to] = [await fingerprintOf(source), await fingerprintOf(target)];
  if (from !== null && to !== null && from !== to) {
    throw new KeyConfigError(
      'The target database was written with another DATA_KEY than the source (data_key_check differs): ' +
        'its personal data keys and the source’s cannot be used together',
    );
  }
}

/** Rows of a source query as one JSON text: timestamps keep their microseconds, nothing is converted on the way. */
async function page(
  client: SqlClient,
  sql: string,
  params: unknown[],
): Promise<{ json: string; rows: number }> {
  const [row] = await client.query<{ json: string; rows: number }>(
    `SELECT coalesce(json_agg(r), '[]')::text AS json, count(*)::integer AS rows FROM (${sql}) AS r`,
    params,
  );
  return row!;
}

const lastOf = <K extends string>(json: string, key: K): unknown =>
  (JSON.parse(json) as Record<K, unknown>[]).at(-1)?.[key];

/**
 * Copies the privacy tables (libs/privacy: person_keys, forgotten_subjects, data_key_check and,
 * if asked, signed_heads) from the SQL database of one deployment to another's, creating them there
 * if needed. Idempotent: rows the target has are kept as they are, so a copy can be repeated or
 * resumed; forgetting wins (a subject forgotten on either side has no key in the target afterwards).
 * Refuses databases written with different master keys (checkSameDataKey).
 */
export async function copyPrivacyTables(
  source: SqlClient,
  target: SqlClient,
  options: PrivacyCopyOptions,
): Promise<PrivacyCopyResult> {
  const batchSize = options.batchSize ?? 1000;
  await migrate(target, privacyMigrations);
  await checkSameDataKey(source, target);
  const result: PrivacyCopyResult = { tables: {}, keysErased: 0 };
  const present = new Set<PrivacyTable>();
  for (const table of PRIVACY_TABLES) if (await hasTable(source, table)) present.add(table);

  if (present.has('data_key_check')) {
    const { json, rows } = await page(source, 'SELECT fingerprint, created_at FROM data_key_check', []);
    const [row] = await target.query<{ copied: number }>(
      `WITH r AS (SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS r(fingerprint text, created_at timestamptz)),
            ins AS (INSERT INTO data_key_check (fingerprint, created_at) SELECT fingerprint, created_at FROM r
                    ON CONFLICT (id) DO NOTHING RETURNING 1)
       SELECT (SELECT count(*) FROM ins)::integer AS copied`,
      [json],
    );
    // checkSameDataKey has refused another fingerprint: a row already there is the same.
    result.tables.data_key_check = {
      copied: row!.copied,
      alreadyThere: rows - row!.copied,
      differing: 0,
      skipped: 0,
    };
  }

  if (present.has('forgotten_subjects')) {
    const copy: TableCopy = { copied: 0, alreadyThere: 0, differing: 0, skipped: 0 };
    for (let after = ''; ;) {
      const { json, rows } = await page(
        source,
        'SELECT subject, forgotten_at FROM forgotten_subjects WHERE subject > $1 ORDER BY subject LIMIT $2',
        [after, batchSize],
      );
      if (rows === 0) break;
      const [row] = await target.query<{ copied: number }>(
        `WITH r AS (SELECT * FROM jsonb_to_recordset($1::text::jsonb) AS r(subject text, forgotten_at timestamptz)),
              ins AS (INSERT INTO forgotten_subjects (subject, forgotten_at) SELECT subject, forgotten_at FROM r
                      ON CONFLICT (subject) DO NOTHING RETURNING 1)
         SELECT (SELECT count(*) FROM ins)::integer AS copied`,
        [json],
      );
      copy.copied += row!.copied;
      copy.alreadyThere += rows - row!.copied;
      after = lastOf(json, 'subject') as string;
    }
    result.tables.forgotten_subjects = copy;
  }

  if (present.has('person_keys')) {
    const copy: TableCopy = { copied: 0, alreadyThere: 0, differing: 0, skipped: 0 };
    for (let after = '00000000-0000-0000-0000-000000000000'; ;) {
      const { json, rows } = await page(
        source,
        `SELECT key_id, subject, wrapped_key, created_at FROM person_keys
         WHERE key_id > $1::uuid ORDER BY key_id LIMIT $2`,
        [after, batchSize],
      );
      if (rows === 0) break;
      // The counts read the table as it was before the insert (one snapshot for the whole statement).
      const [row] = await target.query<{ copied: number; same: number; forgotten: number }>(
        `WITH r AS (SELECT * FROM jsonb_to_recordset($1::text::jsonb)
                      AS r(key_id uuid, subject text, wrapped_key text, created_at timestamptz)),
              forgotten AS (SELECT r.key_id FROM r JOIN forgotten_subjects f ON f.subject = r.subject),
              ins AS (INSERT INTO person_keys (key_id, subject, wrapped_key, created_at)
                      SELECT key_id, subject, wrapped_key, created_at FROM r
                      WHERE key_id NOT IN (SELECT key_id FROM forgotten)
                      ON CONFLICT DO NOTHING RETURNING 1)
         SELECT (SELECT count(*) FROM ins)::integer AS copied,
                (SELECT count(*) FROM forgotten)::integer AS forgotten,
                (SELECT count(*) FROM r JOIN person_keys k
                   ON k.key_id = r.key_id AND k.subject = r.subject AND k.wrapped_key = r.wrapped_key)::integer AS same`,
        [json],
      );
      copy.copied += row!.copied;
      copy.skipped += row!.forgotten;
      copy.alreadyThere += row!.same;
      copy.differing += rows - row!.copied - row!.forgotten - row!.same;
      after = lastOf(json, 'key_id') as string;
    }
    result.tables.person_keys = copy;
  }

  // A subject forgotten in the source after an earlier copy still had its key in the target.
  const erased = await target.query(
    `DELETE FROM person_keys k USING forgotten_subjects f WHERE f.subject = k.subject RETURNING 1`,
  );
  result.keysErased = erased.length;

  if (options.signedHeads && present.has('signed_heads')) {
    const copy: TableCopy = { copied: 0, alreadyThere: 0, differing: 0, skipped: 0 };
    for (let after = 0; ;) {
      const { json, rows } = await page(
        source,
        `SELECT h.position, h.digest, h.streams, h.signature, h.public_key, h.signed_at, e.event_id
         FROM signed_heads h LEFT JOIN events e ON e.global_position = h.position
         WHERE h.position > $1 ORDER BY h.position LIMIT $2`,
        [after, batchSize],
      );
      if (rows === 0) break;
      const [row] = await target.query<{ copied: number; matching: number; same: number }>(
        `WITH r AS (SELECT * FROM jsonb_to_recordset($1::text::jsonb)
                      AS r(position bigint, digest text, streams integer, signature text, public_key text,
                           signed_at timestamptz, event_id uuid)),
              matching AS (SELECT r.* FROM r JOIN events e ON e.global_position = r.position AND e.event_id = r.event_id),
              ins AS (INSERT INTO signed_heads (position, digest, streams, signature, public_key, signed_at)
                      SELECT position, digest, streams, signature, public_key, signed_at FROM matching
                      ON CONFLICT (position) DO NOTHING RETURNING 1)
         SELECT (SELECT count(*) FROM ins)::integer AS copied,
                (SELECT count(*) FROM matching)::integer AS matching,
                (SELECT count(*) FROM matching m JOIN signed_heads h ON h.position = m.position
                   AND h.digest = m.digest AND h.signature = m.signature AND h.public_key = m.public_key)::integer AS same`,
        [json],
      );
      copy.copied += row!.copied;
      copy.alreadyThere += row!.same;
      copy.differing += row!.matching - row!.copied - row!.same;
      copy.skipped += rows - row!.matching;
      after = Number(lastOf(json, 'position'));
    }
    result.tables.signed_heads = copy;
  }
  Object.assign(result.tables, await copyRotationTables(source, target, options));
  return result;
}

export interface CopyEnd {
  /** Where the end's event log is. */
  log: 'sql' | 'esdb';
  /**
   * Whether its deployment's SQL database (where the privacy tables are) is known: always with a
   * SQL log (same database); with EventStoreDB, the deployment's DATABASE_URL (or embedded PGlite),
   * when given.
   */
  database: boolean;
}

export interface PrivacyCopyPlan {
  /** Copy person_keys, forgotten_subjects and data_key_check. */
  keys: boolean;
  /** Copy signed_heads too. */
  signedHeads: boolean;
  /** What will not be copied and why, for the operator. */
  warnings: string[];
}

/**
 * What a copy between two deployments can take of the privacy tables. With EventStoreDB as the event
 * store, a deployment keeps these tables in its SQL database (DATABASE_URL, or the embedded PGlite),
 * which the copy only knows when told. Signed heads name SQL positions, so they only carry over from a
 * SQL log to a SQL log; EventStoreDB has positions of its own.
 */
export function planPrivacyCopy(source: CopyEnd, target: CopyEnd): PrivacyCopyPlan {
  const warnings: string[] = [];
  const keys = source.database && target.database;
  if (!keys) {
    const missing = [
      ...(source.database ? [] : ['the source (--from-database)']),
      ...(target.database ? [] : ['the target (--to-database)']),
    ].join(' and ');
    warnings.push(
      `${PRIVACY_TABLES.join(', ')} were NOT copied: the SQL database that holds them is not known for ${missing}. ` +
        'With EventStoreDB these tables live in the deployment’s SQL database (its DATABASE_URL, or pglite:<DATA_DIR>/pglite); ' +
        'name it, or copy the tables yourself. Without person_keys no personal field of the copied log can be read, ' +
        'and without forgotten_subjects a forgotten person’s new data would be encrypted again.',
    );
  }
  const signedHeads = keys && source.log === 'sql' && target.log === 'sql';
  if (keys && !signedHeads) {
    warnings.push(
      'signed_heads was NOT copied: a signed head names a position in the log, and EventStoreDB positions are not SQL ones, ' +
        'so copied heads could not verify. Check the source’s heads before the move (GET /api/audit/integrity) and keep ' +
        'what GET /api/audit/heads answers; the new deployment signs heads of its own from its start.',
    );
  }
  return { keys, signedHeads, warnings };
}
