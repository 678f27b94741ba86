/** The per-person data keys (crypto-shredding). Adapters: SQL (PGlite and PostgreSQL); in memory for tests. */
export const PERSON_KEY_STORE = Symbol('PERSON_KEY_STORE');

export interface PersonKey {
  /** Lower-case UUID, written into every value encrypted with the key. */
  keyId: string;
  /** 32 bytes, AES-256-GCM. */
  key: Buffer;
}

export interface ForgetResult {
  /** When the subject was first forgotten (a repeat answers the first time). */
  forgottenAt: Date;
  /** false when the subject had already been forgotten. */
  firstTime: boolean;
}

/** `subject` is always the keyed hash of a person (MasterKey.subjectOf), never an address or a name. */
export interface PersonKeyStore {
  /** The subject's key, created on first use; null when the subject was forgotten (and then no key is created). */
  getOrCreateKey(subject: string): Promise<PersonKey | null>;
  /** null when there is no such key: never created, or deleted when its subject was forgotten. */
  getKey(keyId: string): Promise<Buffer | null>;
  /** getKey for many ids at once; an id missing from the answer has no key. */
  getKeys(keyIds: readonly string[]): Promise<Map<string, Buffer>>;
  /** Deletes the subject's keys for good and records that it is forgotten. Repeating it changes nothing. */
  forget(subject: string): Promise<ForgetResult>;
  isForgotten(subject: string): Promise<boolean>;
  /**
   * A number that moves on whenever a key is deleted, in any process sharing the store (one read by
   * primary key): what a cache of keys compares before serving one (decision 0018).
   */
  erasureGeneration(): Promise<number>;
}
