import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { createSqlClient, migrate, SqlClient } from '@passerelle/database';
import { EVENT_STORE, EventStore, eventStoreMigrations, SqlEventStore } from '@passerelle/event-store';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLOCK, systemClock } from '../clock';
import { PERSONAL_DATA_EXPORTS, personalDataProviders } from './personal-data.providers';
import { STORED_EVENT_STORE } from '@passerelle/privacy';

export const SQL_CLIENT = Symbol('SQL_CLIENT');

/** PGlite in DATA_DIR by default, PostgreSQL when DATABASE_URL is set; migrated before anything uses it. */
async function openDatabase(config: AppConfig): Promise<SqlClient> {
  const logger = new Logger('Database');
  let client: SqlClient;
  if (config.databaseUrl) {
    client = await createSqlClient({ databaseUrl: config.databaseUrl, schema: config.databaseSchema });
    logger.log(`PostgreSQL, schema ${config.databaseSchema}`);
  } else {
    const dataDir = join(config.dataDir, 'pglite');
    mkdirSync(dataDir, { recursive: true });
    client = await createSqlClient({ dataDir, schema: config.databaseSchema });
    logger.log(`embedded PGlite in ${dataDir}`);
  }
  await migrate(client, eventStoreMigrations);
  return client;
}

/**
 * Events go to EventStoreDB / KurrentDB when EVENTSTORE_CONNECTION_STRING is set (checked at start-up: a
 * malformed string or an unreachable server stops the boot with EventStoreConnectionError), else to SQL.
 */
async function openEventStore(config: AppConfig, client: SqlClient): Promise<EventStore> {
  if (!config.eventstoreConnectionString) return new SqlEventStore(client);
  const { createEsdbEventStore, checkEsdbConnection } = await import('@passerelle/event-store/esdb');
  const store = createEsdbEventStore(config.eventstoreConnectionString);
  try {
    await checkEsdbConnection(store, 5000);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  new Logger('EventStore').log('events in EventStoreDB');
  return store;
}

@Global()
@Module({
  providers: [
    { provide: SQL_CLIENT, inject: [APP_CONFIG], useFactory: openDatabase },
    // EVENT_STORE is this store behind the personal-data decorator (see personalDataProviders).
    { provide: STORED_EVENT_STORE, inject: [APP_CONFIG, SQL_CLIENT], useFactory: openEventStore },
    ...personalDataProviders(SQL_CLIENT),
    { provide: CLOCK, useValue: systemClock },
  ],
  exports: [SQL_CLIENT, EVENT_STORE, CLOCK, ...PERSONAL_DATA_EXPORTS],
})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(SQL_CLIENT) private readonly client: SqlClient,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.client.close();
  }
}
