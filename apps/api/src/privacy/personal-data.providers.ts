import { Logger, Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { migrate, SqlClient } from '@passerelle/database';
import { EVENT_STORE, EventStore } from '@passerelle/event-store';
import {
  CachedPersonKeyStore,
  generateDataKey,
  loadOrCreateKeyFile,
  MasterKey,
  PERSON_KEY_STORE,
  PersonalDataEventStore,
  PersonalValues,
  PersonKeyStore,
  privacyMigrations,
  SqlPersonKeyStore,
  STORED_EVENT_STORE,
} from '@passerelle/privacy';
import { join } from 'node:path';

export const MASTER_KEY = Symbol('MASTER_KEY');
/** Seals and opens the copies of personal values kept outside the log (read models, notifications). */
export const PERSONAL_VALUES = Symbol('PERSONAL_VALUES');

/** DATA_KEY, or on the embedded default a key generated once into DATA_DIR/keys/data.key. */
export function loadMasterKey(config: AppConfig): MasterKey {
  if (config.dataKey) return MasterKey.fromText(config.dataKey);
  const path = join(config.dataDir, 'keys', 'data.key');
  const { text, created } = loadOrCreateKeyFile(path, generateDataKey);
  const logger = new Logger('PersonalData');
  if (created) {
    logger.warn(
      `DATA_KEY is not set: generated one into ${path}. Keep it with the data: without it no name or address can be read.`,
    );
  }
  return MasterKey.fromText(text);
}

/**
 * What the event store needs to keep personal data encrypted: the master key, the key store (in the
 * SQL database, tables migrated here), and EVENT_STORE itself as the decorator around STORED_EVENT_STORE,
 * whichever adapter that is. Everything that injects EVENT_STORE reads plaintext or "[erased]".
 */
export function personalDataProviders(sqlClient: symbol): Provider[] {
  return [
    { provide: MASTER_KEY, inject: [APP_CONFIG], useFactory: loadMasterKey },
    {
      provide: PERSON_KEY_STORE,
      inject: [sqlClient, MASTER_KEY],
      useFactory: async (client: SqlClient, master: MasterKey): Promise<PersonKeyStore> => {
        await migrate(client, privacyMigrations);
        const keys = new SqlPersonKeyStore(client, master);
        await keys.checkMasterKey();
        return new CachedPersonKeyStore(keys);
      },
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

export const PERSONAL_DATA_EXPORTS = [STORED_EVENT_STORE, PERSON_KEY_STORE, MASTER_KEY, PERSONAL_VALUES];
