import { ERASED, type SubjectKind } from '@passerelle/domain';
import { decryptField, encryptField, parseSealedField, PII_PREFIX } from './field-cipher';
import { FORGOTTEN_WITHIN_MS } from './forget-bound';
import { LruCache } from './lru-cache';
import type { PersonKeyStore } from './person-key-store.port';
import type { SubjectNamer } from './personal-data-event-store';

export interface PersonalValuesOptions {
  /** Opened values kept in memory (by ciphertext); default 50 000. */
  plaintextCacheEntries?: number;
  /** How long an opened value is kept; default FORGOTTEN_WITHIN_MS (30 s). */
  plaintextTtlMs?: number;
}

/** Reads a personal value: its plaintext, ERASED once its key is gone, or the value itself when not sealed. */
export type OpenValue = (value: string) => string;

/**
 * Personal values outside the log — copies in read models and in the notification log — kept sealed
 * exactly as the events carry them (`pii:v1:…`, see field-cipher.ts) under the person's key, and opened
 * only when read. Deleting the key (forgetting the person) erases every copy at once, with nothing to
 * rewrite and no window in which a table holds them in clear.
 */
export class PersonalValues {
  private readonly plaintexts: LruCache<string, string>;

  constructor(
    private readonly keys: PersonKeyStore,
    private readonly subjectOf: SubjectNamer,
    options: PersonalValuesOptions = {},
  ) {
    this.plaintexts = new LruCache(
      options.plaintextCacheEntries ?? 50_000,
      options.plaintextTtlMs ?? FORGOTTEN_WITHIN_MS,
    );
  }

  /**
   * Seals values that belong to one person (named by `kind` and `owner`): each under that person's key,
   * or ERASED when they were forgotten. null stays null; ERASED stays ERASED.
   */
  async seal(
    kind: SubjectKind,
    owner: string,
    values: readonly (string | null)[],
  ): Promise<(string | null)[]> {
    if (owner === ERASED) return values.map((value) => (value === null ? null : ERASED));
    const key = await this.keys.getOrCreateKey(this.subjectOf(kind, owner));
    return values.map((value) => {
      if (value === null || value === ERASED) return value;
      return key ? encryptField(key.keyId, key.key, value) : ERASED;
    });
  }

  /** Fetches the keys the given values need (one query for those not cached) and answers how to read each. */
  async opener(values: Iterable<string>): Promise<OpenValue> {
    const keyIds = new Set<string>();
    for (const value of values) {
      const sealed = value.startsWith(PII_PREFIX) ? parseSealedField(value) : null;
      if (sealed) keyIds.add(sealed.keyId);
    }
    const keys = keyIds.size > 0 ? await this.keys.getKeys([...keyIds]) : new Map<string, Buffer>();
    return (value) => {
      // A value not in the sealed form was written before values were sealed, or is ERASED: as it is.
      if (!value.startsWith('pii:')) return value;
      const sealed = parseSealedField(value);
      const key = sealed && keys.get(sealed.keyId);
      if (!sealed || !key) return ERASED;
      // Served from the cache only while the key is there: a forget hides it as soon as it hides the key.
      const cached = this.plaintexts.get(value);
      if (cached !== undefined) return cached;
      const plaintext = decryptField(sealed, key);
      if (plaintext === null) return ERASED;
      this.plaintexts.set(value, plaintext);
      return plaintext;
    };
  }
}
