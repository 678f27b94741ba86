import { Logger } from '@nestjs/common';
import type { AppConfig } from '@passerelle/config';
import type { SqlClient } from '@passerelle/database';
import type { SubjectKind } from '@passerelle/domain';
import { CachedStreams, EventStore, SqlEventStore } from '@passerelle/event-store';
import {
  CachedPersonKeyStore,
  DataKeyRing,
  loadDataKeyRing,
  MasterKey,
  openDataKeys,
  PersonalDataEventStore,
  PersonalValues,
  PersonKeyStore,
  SqlPersonKeyStore,
} from '@passerelle/privacy';
import { join } from 'node:path';
import type { CompositionLogger } from './logger';

/** How long the EventStoreDB probe at start-up may take before the process gives up. */
const ESDB_PROBE_TIMEOUT_MS = 5000;

/**
 * An EventStoreDB / KurrentDB store, probed: a malformed string or an unreachable server throws
 * EventStoreConnectionError, and the client opened for the probe is closed first.
 */
export async function openEsdbEventStore(connectionString: string): Promise<EventStore> {
  const { createEsdbEventStore, checkEsdbConnection } = await import('@passerelle/event-store/esdb');
  const store = createEsdbEventStore(connectionString);
  try {
    await checkEsdbConnection(store, ESDB_PROBE_TIMEOUT_MS);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/**
 * The events as stored: EventStoreDB when EVENTSTORE_CONNECTION_STRING is set, else the SQL log in
 * `client` (already migrated, see migrateAll). Personal fields are sealed as the events carry them: what
 * the projections fold (decision 0005).
 */
export async function openStoredEventStore(
  config: AppConfig,
  client: SqlClient,
  logger?: CompositionLogger,
): Promise<EventStore> {
  if (!config.eventstoreConnectionString) {
    return new SqlEventStore(client, { appendBatchMax: config.appendBatchMax });
  }
  const store = await openEsdbEventStore(config.eventstoreConnectionString);
  logger?.log('events in EventStoreDB');
  return store;
}

/**
 * DATA_KEY and DATA_KEY_PREVIOUS, or on the embedded default the keys under DATA_DIR/keys: data.key,
 * generated once (with one warning), and data.previous.key while a staged rotation runs.
 */
export function loadDataKeys(
  config: AppConfig,
  logger: CompositionLogger = new Logger('PersonalData'),
): DataKeyRing {
  const { ring, generatedAt } = loadDataKeyRing({
    current: config.dataKey,
    previous: config.dataKeyPrevious,
    keysDir: join(config.dataDir, 'keys'),
  });
  if (generatedAt) {
    logger.warn(
      `DATA_KEY is not set: generated one into ${generatedAt}. Keep it with the data: without it no name or address can be read.`,
    );
  }
  return ring;
}

/** DATA_KEY, or on the embedded default a key generated once into DATA_DIR/keys/data.key. */
export function loadMasterKey(config: AppConfig): MasterKey {
  return loadDataKeys(config).current;
}

/** Everything a process needs to read and write the log with personal data kept encrypted. */
export interface EventStores {
  /** The events as stored (personal fields sealed): projections, the audit export, integrity checks. */
  stored: EventStore;
  /** `stored` behind the personal-data decorator: plaintext, or "[erased]" once a person is forgotten. */
  events: EventStore;
  /** Every DATA_KEY this process holds (DATA_KEY, and DATA_KEY_PREVIOUS during a rotation). */
  dataKeys: DataKeyRing;
  /** The master key that names people and requests (subjectOf, requestDigest). */
  masterKey: MasterKey;
  /** The person keys, cached; shared by `events` and `personalValues`, so a forget hides every copy at once. */
  personKeys: PersonKeyStore;
  /** Seals and opens the copies of personal values kept outside the log (read models, notifications). */
  personalValues: PersonalValues;
}

/**
 * The stored log and the personal-data layer over it, as every process that reads personal fields opens
 * them. `client` holds the key tables (migrated, see migrateAll); the key ring is checked against it.
 */
export async function openEventStores(
  config: AppConfig,
  client: SqlClient,
  logger?: CompositionLogger,
): Promise<EventStores> {
  const dataKeys = logger ? loadDataKeys(config, logger) : loadDataKeys(config);
  const masterKey = await openDataKeys(client, dataKeys);
  const stored = await openStoredEventStore(config, client, logger);
  const personKeys = new CachedPersonKeyStore(new SqlPersonKeyStore(client, dataKeys), {
    // Another process can forget someone only where the keys are shared: PostgreSQL (decision 0018).
    erasuresElsewhere: client.dialect === 'postgres',
  });
  const subjectOf = (kind: SubjectKind, value: string) => masterKey.subjectOf(kind, value);
  // Long streams read again from memory, sealed as stored (decision 0018).
  const streams = new CachedStreams(stored, { maxEvents: config.streamCacheEvents });
  return {
    stored,
    events: new PersonalDataEventStore(streams, personKeys, subjectOf),
    dataKeys,
    masterKey,
    personKeys,
    personalValues: new PersonalValues(personKeys, subjectOf),
  };
}
