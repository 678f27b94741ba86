import { randomBytes, randomUUID } from 'node:crypto';
import type { SqlClient, SqlExecutor } from '@passerelle/database';
import { KEY_BYTES, KeyConfigError, type MasterKey } from '../master-key';
import type { ForgetResult, PersonKey, PersonKeyStore } from '../person-key-store.port';
import { DataKeyRing, openDataKeys } from '../rotation/data-key-ring';

/** Serialises key creation and forgetting per subject, so no key outlives its subject's tombstone. */
const lockSubject = (tx: SqlExecutor, subject: string) =>
  tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('passerelle.person-key.' || $1, 0))`, [subject]);

const NOT_FORGOTTEN = 'NOT EXISTS (SELECT 1 FROM forgotten_subjects f WHERE f.subject = k.subject)';

/**
 * The key store in SQL (PGlite or PostgreSQL; tables from privacyMigrations). Keys are stored
 * wrapped by a master key and unwrapped on the way out; a key that does not unwrap counts as absent.
 * Given a ring (key rotation), it reads keys wrapped by any of its keys and wraps new ones with the
 * key the database names as in use (data_key_check).
 */
export class SqlPersonKeyStore implements PersonKeyStore {
  private readonly ring: DataKeyRing;

  constructor(
    private readonly client: SqlClient,
    keys: MasterKey | DataKeyRing,
  ) {
    this.ring = DataKeyRing.of(keys);
  }

  /**
   * Refuses master keys other than the ones this database's keys were wrapped with (recording the
   * configured one on first use): with the wrong key every personal field would silently read as erased.
   */
  async checkMasterKey(): Promise<void> {
    await openDataKeys(this.client, this.ring);
  }

  /** The key that wraps new person keys: the one data_key_check names (read under a share lock, see rotateDataKey). */
  private async wrappingKey(tx: SqlExecutor): Promise<MasterKey> {
    const [row] = await tx.query<{ fingerprint: string }>('SELECT fingerprint FROM data_key_check FOR SHARE');
    if (!row) return this.ring.current;
    const master = this.ring.find(row.fingerprint);
    if (!master) {
      throw new KeyConfigError(
        `The DATA_KEY in use (${row.fingerprint}) is not configured in this process (${this.ring.describe()})`,
      );
    }
    return master;
  }

  async getOrCreateKey(subject: string): Promise<PersonKey | null> {
    const existing = await this.find(this.client, subject);
    if (existing !== undefined) return existing;
    return this.client.transaction(async (tx) => {
      await lockSubject(tx, subject);
      const found = await this.find(tx, subject);
      if (found !== undefined) return found;
      const keyId = randomUUID();
      const key = randomBytes(KEY_BYTES);
      const master = await this.wrappingKey(tx);
      await tx.query(
        'INSERT INTO person_keys (key_id, subject, wrapped_key, wrapped_by) VALUES ($1, $2, $3, $4)',
        [keyId, subject, master.wrap(keyId, key), master.fingerprint],
      );
      return { keyId, key };
    });
  }

  /** The subject's key; null when forgotten; undefined when it has none yet. */
  private async find(sql: SqlExecutor, subject: string): Promise<PersonKey | null | undefined> {
    const [row] = await sql.query<{
      key_id: string | null;
      wrapped_key: string | null;
      wrapped_by: string | null;
      forgotten: boolean;
    }>(
      `SELECT k.key_id, k.wrapped_key, k.wrapped_by,
              EXISTS (SELECT 1 FROM forgotten_subjects f WHERE f.subject = $1) AS forgotten
       FROM (SELECT 1) AS one LEFT JOIN person_keys k ON k.subject = $1`,
      [subject],
    );
    if (!row || row.forgotten) return null;
    if (row.key_id === null || row.wrapped_key === null) return undefined;
    const key = this.ring.unwrap(row.key_id, row.wrapped_key, row.wrapped_by);
    if (!key) throw new KeyConfigError(`The data key ${row.key_id} does not unwrap with DATA_KEY`);
    return { keyId: row.key_id, key };
  }

  async getKey(keyId: string): Promise<Buffer | null> {
    return (await this.getKeys([keyId])).get(keyId) ?? null;
  }

  async getKeys(keyIds: readonly string[]): Promise<Map<string, Buffer>> {
    const keys = new Map<string, Buffer>();
    if (keyIds.length === 0) return keys;
    const rows = await this.client.query<{ key_id: string; wrapped_key: string; wrapped_by: string | null }>(
      `SELECT key_id, wrapped_key, wrapped_by FROM person_keys k
       WHERE key_id IN (SELECT value::uuid FROM jsonb_array_elements_text($1::text::jsonb)) AND ${NOT_FORGOTTEN}`,
      [JSON.stringify([...new Set(keyIds)])],
    );
    for (const row of rows) {
      const key = this.ring.unwrap(row.key_id, row.wrapped_key, row.wrapped_by);
      if (key) keys.set(row.key_id, key);
    }
    return keys;
  }

  forget(subject: string): Promise<ForgetResult> {
    return this.client.transaction(async (tx) => {
      await lockSubject(tx, subject);
      const inserted = await tx.query<{ forgotten_at: Date }>(
        `INSERT INTO forgotten_subjects (subject) VALUES ($1) ON CONFLICT (subject) DO NOTHING
         RETURNING forgotten_at`,
        [subject],
      );
      await tx.query('DELETE FROM person_keys WHERE subject = $1', [subject]);
      if (inserted[0]) return { forgottenAt: new Date(inserted[0].forgotten_at), firstTime: true };
      const [first] = await tx.query<{ forgotten_at: Date }>(
        'SELECT forgotten_at FROM forgotten_subjects WHERE subject = $1',
        [subject],
      );
      return { forgottenAt: new Date(first!.forgotten_at), firstTime: false };
    });
  }

  async erasureGeneration(): Promise<number> {
    const [row] = await this.client.query<{ generation: string | number }>(
      'SELECT generation FROM erasure_generation WHERE id',
    );
    return Number(row?.generation ?? 0);
  }

  async isForgotten(subject: string): Promise<boolean> {
    const [row] = await this.client.query('SELECT 1 FROM forgotten_subjects WHERE subject = $1', [subject]);
    return row !== undefined;
  }
}
