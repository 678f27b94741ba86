import { Logger, Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { migrate, SqlClient } from '@passerelle/database';
import { EVENT_STORE, EventStore } from '@passerelle/event-store';
import {
  CachedPersonKeyStore,
  DataKeyRing,
  loadDataKeyRing,
  MasterKey,
  openDataKeys,
  PERSON_KEY_STORE,
  PersonalDataEventStore,
  PersonalValues,
  PersonKeyStore,
  privacyMigrations,
  SqlPersonKeyStore,
  STORED_EVENT_STORE,
} from '@passerelle/privacy';
import { join } from 'node:path';

/** The master key that names people and requests (subjectOf, requestDigest); see openDataKeys. */
export const MASTER_KEY = Symbol('MASTER_KEY');
/** Seals and opens the copies of personal values kept outside the log (read models, notifications). */
export const PERSONAL_VALUES = Symbol('PERSONAL_VALUES');
/** Every DATA_KEY this process holds (DATA_KEY, and DATA_KEY_PREVIOUS during a rotation). */
export const DATA_KEY_RING = Symbol('DATA_KEY_RING');

/**
 * DATA_KEY and DATA_KEY_PREVIOUS, or on the embedded default the keys under DATA_DIR/keys: data.key,
 * generated once, and data.previous.key while a staged rotation runs.
 */
export function loadDataKeys(config: AppConfig): DataKeyRing {
  const { ring, generatedAt } = loadDataKeyRing({
    current: config.dataKey,
    previous: config.dataKeyPrevious,
    keysDir: join(config.dataDir, 'keys'),
  });
  if (generatedAt) {
    new Logger('PersonalData').warn(
      `DATA_KEY is not set: generated one into ${generatedAt}. Keep it with the data: without it no name or address can be read.`,
    );
  }
  return ring;
}

/** DATA_KEY, or on the embedded default a key generated once into DATA_DIR/keys/data.key. */
export function loadMasterKey(config: AppConfig): MasterKey {
  return loadDataKeys(config).current;
}

/**
 * What the event store needs to keep personal data encrypted: the master key, the key store (in the
 * SQL database, tables migrated here), and EVENT_STORE itself as the decorator around STORED_EVENT_STORE,
 * whichever adapter that is. Everything that injects EVENT_STORE reads plaintext or "[erased]".
 */
export function personalDataProviders(sqlClient: symbol): Provider[] {
  return [
    { provide: DATA_KEY_RING, inject: [APP_CONFIG], useFactory: loadDataKeys },
    {
      provide: MASTER_KEY,
      inject: [sqlClient, DATA_KEY_RING],
      useFactory: async (client: SqlClient, ring: DataKeyRing): Promise<MasterKey> => {
        await migrate(client, privacyMigrations);
        return openDataKeys(client, ring);
      },
    },
    {
      provide: PERSON_KEY_STORE,
      // MASTER_KEY first: the tables are migrated and the ring checked against the database.
      inject: [sqlClient, DATA_KEY_RING, MASTER_KEY],
      useFactory: (client: SqlClient, ring: DataKeyRing): PersonKeyStore =>
        new CachedPersonKeyStore(new SqlPersonKeyStore(client, ring)),
    },
    {
      provide: EVENT_STORE,
      inject: [STORED_EVENT_STORE, PERSON_KEY_STORE, MASTER_KEY],
      useFactory: (stored: EventStore, keys: PersonKeyStore, master: MasterKey): EventStore =>
        new PersonalDataEventStore(stored, keys, (kind, value) => master.subjectOf(kind, value)),
    },
    {
      // The same key store (and cache) as the event store: a forget in this process hides every copy at once.
      provide: PERSONAL_VALUES,
      inject: [PERSON_KEY_STORE, MASTER_KEY],
      useFactory: (keys: PersonKeyStore, master: MasterKey): PersonalValues =>
        new PersonalValues(keys, (kind, value) => master.subjectOf(kind, value)),
    },
  ];
}

export const PERSONAL_DATA_EXPORTS = [
  STORED_EVENT_STORE,
  PERSON_KEY_STORE,
  MASTER_KEY,
  DATA_KEY_RING,
  PERSONAL_VALUES,
];
