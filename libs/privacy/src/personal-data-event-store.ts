import {
  ERASED,
  hasPersonalData,
  mapPersonalData,
  personalFieldOwners,
  type SubjectKind,
} from '@passerelle/domain';
import type {
  AppendResult,
  BatchHandler,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '@passerelle/event-store';
import { decryptField, encryptField, parseSealedField, PII_PREFIX } from './field-cipher';
import { FORGOTTEN_WITHIN_MS } from './forget-bound';
import { LruCache } from './lru-cache';
import type { PersonKey, PersonKeyStore } from './person-key-store.port';

/** The store underneath the decorator: events exactly as stored, personal fields encrypted. For hash checks. */
export const STORED_EVENT_STORE = Symbol('STORED_EVENT_STORE');

/** Names a person from their address or name: MasterKey.subjectOf. */
export type SubjectNamer = (kind: SubjectKind, value: string) => string;

export interface PersonalDataEventStoreOptions {
  /** Decrypted values kept in memory (by ciphertext), as reading the same events again is common; default 50 000. */
  plaintextCacheEntries?: number;
  /** How long a decrypted value is kept; default FORGOTTEN_WITHIN_MS (30 s). */
  plaintextTtlMs?: number;
}

/** The key id of a value in the encrypted form, without decoding the rest (see field-cipher.ts). */
const KEY_ID_END = PII_PREFIX.length + 36;
const keyIdOf = (value: string): string | null =>
  value.startsWith(PII_PREFIX) && value.charCodeAt(KEY_ID_END) === 58 /* ':' */
    ? value.slice(PII_PREFIX.length, KEY_ID_END)
    : null;

/**
 * An event store that keeps personal data encrypted, wrapped around any adapter. On append each
 * personal field (see personal-data.ts in the domain) is encrypted with its person's key — or
 * written as ERASED when the person was forgotten; on every read it is decrypted, or reads as
 * ERASED when the key is gone. The hash chain is computed by the adapter over what it stores, the
 * ciphertext; everything above this decorator sees plaintext or ERASED and knows nothing of keys.
 */
export class PersonalDataEventStore implements EventStore {
  /**
   * Decryption costs some 20 µs a field, and the same events are read again and again (each command
   * loads its stream, and reads back what the last one appended: values are kept as they are sealed). A
   * cached value is only served while its key is still there, so a forget hides it as soon as it hides
   * the key.
   */
  private readonly plaintexts: LruCache<string, string>;

  constructor(
    private readonly inner: EventStore,
    private readonly keys: PersonKeyStore,
    private readonly subjectOf: SubjectNamer,
    options: PersonalDataEventStoreOptions = {},
  ) {
    this.plaintexts = new LruCache(
      options.plaintextCacheEntries ?? 50_000,
      options.plaintextTtlMs ?? FORGOTTEN_WITHIN_MS,
    );
  }

  async appendToStream(
    streamId: string,
    events: NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> {
    const sealed = await Promise.all(events.map((event) => this.seal(event)));
    const result = await this.inner.appendToStream(
      streamId,
      sealed.map(({ event }) => event),
      expectedRevision,
    );
    if (!events.some((event) => hasPersonalData(event.type))) return result;
    return { ...result, readBack: sealed.map(({ readBack }) => readBack) };
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.open(await this.inner.readStream(streamId, options));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.open(await this.inner.readAll(options));
  }

  subscribeToAll(options: SubscribeOptions, handler: BatchHandler): Subscription {
    return this.inner.subscribeToAll(options, async (batch) => handler(await this.open(batch)));
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  lastCommittedPosition(): Promise<number> {
    return this.inner.lastCommittedPosition?.() ?? this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /**
   * The event with its personal fields encrypted (ERASED stays ERASED; nothing is stored in clear), and
   * its data as a read would open it: in clear, but ERASED where ERASED is stored.
   */
  private async seal<E extends NewEvent>(event: E): Promise<{ event: E; readBack: Record<string, unknown> }> {
    if (!hasPersonalData(event.type)) return { event, readBack: event.data };
    // Each person is named once (an HMAC), not once per field of theirs.
    const subjects = new Map<string, string>();
    const subjectOf = (kind: SubjectKind, value: string): string => {
      const named = `${kind}:${value}`;
      let subject = subjects.get(named);
      if (subject === undefined) subjects.set(named, (subject = this.subjectOf(kind, value)));
      return subject;
    };
    const keys = new Map<string, PersonKey | null>();
    for (const owner of personalFieldOwners(event.type, event.data)) {
      if (owner.value === null || owner.value === ERASED) continue;
      const subject = subjectOf(owner.kind, owner.value);
      if (!keys.has(subject)) keys.set(subject, null);
    }
    await Promise.all(
      [...keys.keys()].map(async (subject) => keys.set(subject, await this.keys.getOrCreateKey(subject))),
    );
    /** The fields written as ERASED, by their order in mapPersonalData's walk. */
    const erased = new Set<number>();
    let field = 0;
    const data = mapPersonalData(event.type, event.data, (value, name, owner) => {
      const index = field++;
      if (value === ERASED || owner.value === ERASED) return erase(index);
      if (owner.value === null) {
        throw new TypeError(`${event.type}.${name}: the person it belongs to is not named; not storing it`);
      }
      const key = keys.get(subjectOf(owner.kind, owner.value));
      if (!key) return erase(index);
      const sealed = encryptField(key.keyId, key.key, value);
      // The command side reads its own events back: they open without decrypting, on the same terms.
      this.plaintexts.set(sealed, value);
      return sealed;
    });
    function erase(index: number): string {
      erased.add(index);
      return ERASED;
    }
    field = 0;
    const readBack =
      erased.size === 0
        ? event.data
        : mapPersonalData(event.type, event.data, (value) => (erased.has(field++) ? ERASED : value));
    return { event: { ...event, data }, readBack };
  }

  /** The events (as the inner store read them) with their personal fields decrypted; a field whose key is gone reads as ERASED. */
  async open(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    const keyIds = new Set<string>();
    for (const event of events) {
      if (!hasPersonalData(event.type)) continue;
      mapPersonalData(event.type, event.data, (value) => {
        const keyId = keyIdOf(value);
        if (keyId) keyIds.add(keyId);
        return value;
      });
    }
    if (keyIds.size === 0) return events;
    const keys = await this.keys.getKeys([...keyIds]);
    return events.map((event) => {
      if (!hasPersonalData(event.type)) return event;
      const data = mapPersonalData(event.type, event.data, (value) => {
        // A value not in the encrypted form was stored before encryption, or is ERASED: as it is.
        if (!value.startsWith('pii:')) return value;
        const keyId = keyIdOf(value);
        const key = keyId === null ? undefined : keys.get(keyId);
        if (!key) return ERASED;
        const cached = this.plaintexts.get(value);
        if (cached !== undefined) return cached;
        const sealed = parseSealedField(value);
        const plaintext = sealed && decryptField(sealed, key);
        if (plaintext === null) return ERASED;
        this.plaintexts.set(value, plaintext);
        return plaintext;
      });
      return data === event.data ? event : { ...event, data };
    });
  }
}
