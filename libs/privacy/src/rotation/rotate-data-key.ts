import type { SqlClient, SqlExecutor } from '@passerelle/database';
import { KeyConfigError } from '../master-key';
import { DataKeyRing, dataKeyInUse, namingKeysIn, unfinishedDataKeyRotation } from './data-key-ring';

export interface RotationProgress {
  /** Person keys re-wrapped so far in this rotation (all runs together). */
  rewrapped: number;
  /** The last key id re-wrapped: where a resumed run goes on from. */
  checkpoint: string;
}

export interface DataKeyRotationOptions {
  /** Person keys re-wrapped per transaction; default 500. */
  batchSize?: number;
  /** Called after each batch is committed. */
  onBatch?: (progress: RotationProgress) => void | Promise<void>;
  /** Stops after the batch in flight (the rotation is then resumed by running it again). */
  signal?: AbortSignal;
}

export interface DataKeyRotationResult {
  /** Fingerprints of the key rotated from and to. */
  from: string;
  to: string;
  /** Person keys re-wrapped by this run. */
  rewrapped: number;
  /** Whether this run found the rotation already complete (nothing to do). */
  alreadyDone: boolean;
  /** Whether this run resumed a rotation an earlier run had started. */
  resumed: boolean;
}

export class RotationInterrupted extends Error {
  readonly code = 'rotation_interrupted';
}

const FIRST_KEY_ID = '00000000-0000-0000-0000-000000000000';
/** Sweeps over person_keys before giving up on rows that keep appearing under the old key (another version writing). */
const MAX_SWEEPS = 5;

/**
 * Moves a database from the DATA_KEY in use (data_key_check; must be in the ring, normally as the
 * previous key) to the ring's current key, while the service keeps serving:
 *
 * 1. In one transaction: the naming keys are kept (sealed by the new key), the rotation is recorded,
 *    and data_key_check names the new key. The row lock makes this wait for key creations in flight
 *    (they read data_key_check under a share lock): every key created from here on is wrapped by the
 *    new key, every key created before is already committed.
 * 2. Batches, each one transaction, in key id order: re-wrap the keys not yet wrapped by the new key
 *    and record the last key id in key_rotations. The per-person keys themselves do not change, so no
 *    event is rewritten and processes holding both keys read every key throughout.
 * 3. When no key is left under another key, the rotation is recorded as complete.
 *
 * Idempotent: run again, it resumes from its checkpoint; on a completed rotation it does nothing.
 */
export async function rotateDataKey(
  client: SqlClient,
  ring: DataKeyRing,
  options: DataKeyRotationOptions = {},
): Promise<DataKeyRotationResult> {
  const batchSize = options.batchSize ?? 500;
  const to = ring.current;
  const started = await client.transaction(async (tx) => {
    const inUse = await dataKeyInUse(tx, ring, 'FOR UPDATE');
    const unfinished = await unfinishedDataKeyRotation(tx);
    if (unfinished && unfinished.to !== to.fingerprint) {
      throw new KeyConfigError(
        `An earlier rotation of DATA_KEY, to ${unfinished.to}, is unfinished: run it to its end first (DATA_KEY the key ${unfinished.to}, DATA_KEY_PREVIOUS the key ${unfinished.from})`,
      );
    }
    if (unfinished) return { ...unfinished, resumed: true };
    if (inUse === to.fingerprint) return null;
    const from = ring.find(inUse);
    if (!from) {
      throw new KeyConfigError(
        `The DATA_KEY in use (${inUse}) is not configured: set DATA_KEY_PREVIOUS to it and DATA_KEY to the new key`,
      );
    }
    await keepNamingKeys(tx, ring, inUse);
    await tx.query(
      `INSERT INTO key_rotations (kind, from_key, to_key) VALUES ('data', $1, $2)
       ON CONFLICT (kind, from_key, to_key) DO UPDATE SET completed_at = NULL, checkpoint = NULL, rewrapped = 0`,
      [from.fingerprint, to.fingerprint],
    );
    await tx.query('UPDATE data_key_check SET fingerprint = $1', [to.fingerprint]);
    return { from: from.fingerprint, to: to.fingerprint, checkpoint: null, rewrapped: 0, resumed: false };
  });
  if (!started) {
    return { from: to.fingerprint, to: to.fingerprint, rewrapped: 0, alreadyDone: true, resumed: false };
  }

  let rewrapped = 0;
  let total = started.rewrapped;
  let after = started.checkpoint ?? FIRST_KEY_ID;
  for (let sweep = 0; ;) {
    if (options.signal?.aborted)
      throw new RotationInterrupted('The rotation was interrupted; run it again to resume');
    const done = await client.transaction((tx) => rewrapBatch(tx, ring, started, after, batchSize));
    if (done.count > 0) {
      rewrapped += done.count;
      total += done.count;
      after = done.last;
      await options.onBatch?.({ rewrapped: total, checkpoint: after });
      continue;
    }
    const [left] = await client.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM person_keys WHERE wrapped_by IS DISTINCT FROM $1',
      [to.fingerprint],
    );
    if (left!.n === 0) break;
    if (++sweep >= MAX_SWEEPS) {
      throw new KeyConfigError(
        `${left!.n} person keys keep appearing under another DATA_KEY: is a process still running without the new key, or an older version?`,
      );
    }
    after = FIRST_KEY_ID;
  }
  await client.query(
    `UPDATE key_rotations SET completed_at = now() WHERE kind = 'data' AND from_key = $1 AND to_key = $2`,
    [started.from, started.to],
  );
  return { from: started.from, to: started.to, rewrapped, alreadyDone: false, resumed: started.resumed };
}

/** The naming keys, sealed by the new key: they must outlive the key they were derived from. */
async function keepNamingKeys(tx: SqlExecutor, ring: DataKeyRing, inUse: string): Promise<void> {
  const naming = await namingKeysIn(tx, ring, inUse);
  await tx.query(
    `INSERT INTO naming_keys (wrapped, wrapped_by) VALUES ($1, $2)
     ON CONFLICT (id) DO UPDATE SET wrapped = excluded.wrapped, wrapped_by = excluded.wrapped_by`,
    [ring.current.wrapNamingKeys(naming), ring.current.fingerprint],
  );
}

async function rewrapBatch(
  tx: SqlExecutor,
  ring: DataKeyRing,
  rotation: { from: string; to: string },
  after: string,
  batchSize: number,
): Promise<{ count: number; last: string }> {
  // FOR UPDATE: a forget waits for the batch, or the batch skips the row it deleted.
  const rows = await tx.query<{ key_id: string; wrapped_key: string; wrapped_by: string | null }>(
    `SELECT key_id::text AS key_id, wrapped_key, wrapped_by FROM person_keys
     WHERE key_id > $1::uuid AND wrapped_by IS DISTINCT FROM $2
     ORDER BY key_id LIMIT $3 FOR UPDATE`,
    [after, rotation.to, batchSize],
  );
  if (rows.length === 0) return { count: 0, last: after };
  const rewrapped = rows.map((row) => {
    const key = ring.unwrap(row.key_id, row.wrapped_key, row.wrapped_by ?? rotation.from);
    if (!key) {
      throw new KeyConfigError(
        `The person key ${row.key_id} opens with none of the configured DATA_KEYs (${ring.describe()})`,
      );
    }
    return { key_id: row.key_id, wrapped_key: ring.current.wrap(row.key_id, key) };
  });
  await tx.query(
    `UPDATE person_keys k SET wrapped_key = r.wrapped_key, wrapped_by = $2
     FROM jsonb_to_recordset($1::text::jsonb) AS r(key_id uuid, wrapped_key text)
     WHERE k.key_id = r.key_id`,
    [JSON.stringify(rewrapped), rotation.to],
  );
  const last = rows[rows.length - 1]!.key_id;
  await tx.query(
    `UPDATE key_rotations SET checkpoint = $3, rewrapped = rewrapped + $4
     WHERE kind = 'data' AND from_key = $1 AND to_key = $2`,
    [rotation.from, rotation.to, last, rows.length],
  );
  return { count: rows.length, last };
}
