import type { SqlClient, SqlExecutor } from '@passerelle/database';
import { KeyConfigError, MasterKey, type NamingKeys } from '../master-key';

/**
 * The DATA_KEYs a process holds: the configured one first, then the previous one while a rotation
 * runs. Which of them wraps new person keys is the database's choice (data_key_check), not the
 * process's: every process of a deployment then agrees, whatever order they were restarted in.
 */
export class DataKeyRing {
  readonly keys: readonly MasterKey[];

  constructor(
    readonly current: MasterKey,
    previous: readonly MasterKey[] = [],
  ) {
    this.keys = [current, ...previous.filter((key) => key.fingerprint !== current.fingerprint)];
  }

  static of(keys: MasterKey | DataKeyRing): DataKeyRing {
    return keys instanceof DataKeyRing ? keys : new DataKeyRing(keys);
  }

  static fromText(current: string, previous?: string): DataKeyRing {
    return new DataKeyRing(
      MasterKey.fromText(current),
      previous === undefined ? [] : [MasterKey.fromText(previous)],
    );
  }

  find(fingerprint: string): MasterKey | undefined {
    return this.keys.find((key) => key.fingerprint === fingerprint);
  }

  /** The person key, asking the key that wrapped it first (when recorded), then the others. */
  unwrap(keyId: string, wrapped: string, wrappedBy: string | null): Buffer | null {
    const first = wrappedBy === null ? undefined : this.find(wrappedBy);
    for (const master of first ? [first, ...this.keys.filter((key) => key !== first)] : this.keys) {
      const key = master.unwrap(keyId, wrapped);
      if (key) return key;
    }
    return null;
  }

  describe(): string {
    return this.keys.map((key) => key.fingerprint).join(', ');
  }
}

/** The fingerprint of the DATA_KEY in use, recording the ring's current key on a database that has none yet. */
export async function dataKeyInUse(sql: SqlExecutor, ring: DataKeyRing, lock = ''): Promise<string> {
  await sql.query('INSERT INTO data_key_check (fingerprint) VALUES ($1) ON CONFLICT (id) DO NOTHING', [
    ring.current.fingerprint,
  ]);
  const [row] = await sql.query<{ fingerprint: string }>(`SELECT fingerprint FROM data_key_check ${lock}`);
  return row!.fingerprint;
}

export interface UnfinishedRotation {
  from: string;
  to: string;
  checkpoint: string | null;
  rewrapped: number;
}

export async function unfinishedDataKeyRotation(sql: SqlExecutor): Promise<UnfinishedRotation | null> {
  const [row] = await sql.query<{
    from_key: string;
    to_key: string;
    checkpoint: string | null;
    rewrapped: number;
  }>(
    `SELECT from_key, to_key, checkpoint, rewrapped FROM key_rotations
     WHERE kind = 'data' AND completed_at IS NULL ORDER BY started_at DESC LIMIT 1`,
  );
  return row
    ? { from: row.from_key, to: row.to_key, checkpoint: row.checkpoint, rewrapped: row.rewrapped }
    : null;
}

/** The naming keys of this database: kept in naming_keys once its first DATA_KEY was rotated, else derived from it. */
export async function namingKeysIn(sql: SqlExecutor, ring: DataKeyRing, inUse: string): Promise<NamingKeys> {
  const [row] = await sql.query<{ wrapped: string; wrapped_by: string }>(
    'SELECT wrapped, wrapped_by FROM naming_keys',
  );
  if (!row) return ring.find(inUse)!.namingKeys;
  const naming = ring.find(row.wrapped_by)?.unwrapNamingKeys(row.wrapped);
  if (!naming) {
    throw new KeyConfigError(
      `The naming keys are wrapped by the DATA_KEY ${row.wrapped_by}, which is not configured here (configured: ${ring.describe()})`,
    );
  }
  return naming;
}

/**
 * At start: refuses a ring that cannot read this database — the DATA_KEY in use, and during a rotation
 * both its keys, must be configured — and answers the master key to name people and requests with
 * (the configured key, carrying the naming keys the database was first written with).
 */
export async function openDataKeys(client: SqlClient, ring: DataKeyRing): Promise<MasterKey> {
  const inUse = await dataKeyInUse(client, ring);
  if (!ring.find(inUse)) {
    throw new KeyConfigError(
      ring.keys.length === 1
        ? 'DATA_KEY is not the key this database was written with; restore the original key (the personal data cannot be read with another one), or, to rotate it, set DATA_KEY_PREVIOUS to the key in use'
        : `Neither DATA_KEY nor DATA_KEY_PREVIOUS is the key in use in this database (fingerprint ${inUse})`,
    );
  }
  const unfinished = await unfinishedDataKeyRotation(client);
  if (unfinished && (!ring.find(unfinished.from) || !ring.find(unfinished.to))) {
    throw new KeyConfigError(
      `A rotation of DATA_KEY from ${unfinished.from} to ${unfinished.to} is under way: configure both keys (DATA_KEY the new one, DATA_KEY_PREVIOUS the old one) until it completes`,
    );
  }
  return ring.current.withNaming(await namingKeysIn(client, ring, inUse));
}
