import { AppConfig, ConfigError } from '@passerelle/config';
import { createSqlClient, migrate, SqlClient } from '@passerelle/database';
import { EventStore, eventStoreMigrations, SqlEventStore } from '@passerelle/event-store';
import {
  CachedPersonKeyStore,
  loadDataKeyRing,
  openDataKeys,
  PersonalDataEventStore,
  privacyMigrations,
  SqlPersonKeyStore,
} from '@passerelle/privacy';
import {
  AnyProjection,
  PostgresAdvisoryLocks,
  ProjectionRunner,
  READ_MODEL_PROJECTIONS,
  RunnerLogger,
} from '@passerelle/read-models';
import { join } from 'node:path';

export interface ProjectorOptions {
  /** Projection names to run (default: all); instances may split them between themselves. */
  projections?: string[];
  batchSize?: number;
  /** How often a standby instance tries to take a projection's lock. */
  lockPollMs?: number;
  logger: RunnerLogger;
}

export interface Projector {
  readonly runner: ProjectionRunner;
  close(): Promise<void>;
}

function selectProjections(names: string[] | undefined): AnyProjection[] {
  if (!names?.length) return [...READ_MODEL_PROJECTIONS];
  return names.map((name) => {
    const projection = READ_MODEL_PROJECTIONS.find((candidate) => candidate.name === name);
    if (!projection) {
      const known = READ_MODEL_PROJECTIONS.map((p) => p.name).join(', ');
      throw new ConfigError(`Unknown projection ${name} (known: ${known})`);
    }
    return projection;
  });
}

/**
 * The events as the API reads them: from SQL or EventStoreDB, personal fields opened with DATA_KEY (on
 * the embedded default, the key the API generated into DATA_DIR).
 */
export async function openEventStore(config: AppConfig, client: SqlClient): Promise<EventStore> {
  let stored: EventStore;
  if (config.eventstoreConnectionString) {
    const { createEsdbEventStore, checkEsdbConnection } = await import('@passerelle/event-store/esdb');
    const esdb = createEsdbEventStore(config.eventstoreConnectionString);
    await checkEsdbConnection(esdb, 5000);
    stored = esdb;
  } else {
    await migrate(client, eventStoreMigrations);
    stored = new SqlEventStore(client);
  }
  if (!config.dataKey && !config.embedded)
    throw new ConfigError('DATA_KEY is required to read personal data');
  // DATA_KEY (and DATA_KEY_PREVIOUS during a rotation), or on the embedded default the API's key files.
  const { ring } = loadDataKeyRing({
    current: config.dataKey,
    previous: config.dataKeyPrevious,
    keysDir: join(config.dataDir, 'keys'),
  });
  await migrate(client, privacyMigrations);
  const master = await openDataKeys(client, ring);
  const keys = new SqlPersonKeyStore(client, ring);
  return new PersonalDataEventStore(stored, new CachedPersonKeyStore(keys), (kind, value) =>
    master.subjectOf(kind, value),
  );
}

/**
 * The projections as a process of their own (scale-out): each projection runs in the one instance that
 * holds its advisory lock; the others wait and take over when it dies. Read models live in PostgreSQL.
 */
export async function startProjector(config: AppConfig, options: ProjectorOptions): Promise<Projector> {
  if (!config.databaseUrl) {
    throw new ConfigError(
      'The projector needs PostgreSQL (DATABASE_URL); on the embedded default the API runs the projections itself',
    );
  }
  const projections = selectProjections(options.projections);
  const client = await createSqlClient({
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    maxConnections: 4,
  });
  let store: EventStore | undefined;
  try {
    store = await openEventStore(config, client);
    const runner = new ProjectionRunner({
      client,
      store,
      projections,
      locks: new PostgresAdvisoryLocks({
        databaseUrl: config.databaseUrl,
        schema: config.databaseSchema,
        pollMs: options.lockPollMs ?? 1000,
        applicationName: `passerelle:projector:${process.pid}`,
      }),
      batchSize: options.batchSize ?? 500,
      logger: options.logger,
    });
    await runner.start();
    const opened = store;
    return {
      runner,
      async close() {
        await runner.stop();
        await opened.close();
        await client.close();
      },
    };
  } catch (error) {
    await store?.close().catch(() => undefined);
    await client.close().catch(() => undefined);
    throw error;
  }
}
