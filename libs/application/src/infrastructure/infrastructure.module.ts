import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import type { SqlClient } from '@passerelle/database';
import { EVENT_STORE, EventStore } from '@passerelle/event-store';
import { MasterKey, PERSON_KEY_STORE, STORED_EVENT_STORE } from '@passerelle/privacy';
import { CLOCK, systemClock } from '../clock';
import { EventStores, migrateAll, openEventStores, openSqlClient } from '../composition';
import {
  DATA_KEY_RING,
  EVENT_STORES,
  MASTER_KEY,
  PERSONAL_VALUES,
  REQUEST_DIGEST,
  RequestDigest,
  SQL_CLIENT,
} from './tokens';

const LOG = new Logger('Infrastructure');
/** A query stuck on a server that went away fails (503) well before a client or proxy gives up. */
const DATABASE_QUERY_TIMEOUT_MS = 30_000;

const part = <K extends keyof EventStores>(provide: symbol, key: K) => ({
  provide,
  inject: [EVENT_STORES],
  useFactory: (stores: EventStores) => stores[key],
});

/**
 * The infrastructure of a Nest process, from the composition root: the SQL client (PGlite in DATA_DIR by
 * default, PostgreSQL when DATABASE_URL is set; migrated before anything uses it), the log with its
 * personal-data layer, and the clock. EVENT_STORE reads plaintext or "[erased]"; STORED_EVENT_STORE is
 * the log as stored.
 */
@Global()
@Module({
  providers: [
    {
      provide: SQL_CLIENT,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) =>
        migrateAll(await openSqlClient(config, { queryTimeoutMs: DATABASE_QUERY_TIMEOUT_MS }, LOG)),
    },
    {
      provide: EVENT_STORES,
      inject: [APP_CONFIG, SQL_CLIENT],
      useFactory: (config: AppConfig, client: SqlClient) => openEventStores(config, client, LOG),
    },
    part(STORED_EVENT_STORE, 'stored'),
    part(EVENT_STORE, 'events'),
    part(MASTER_KEY, 'masterKey'),
    part(PERSON_KEY_STORE, 'personKeys'),
    part(DATA_KEY_RING, 'dataKeys'),
    part(PERSONAL_VALUES, 'personalValues'),
    {
      provide: REQUEST_DIGEST,
      inject: [MASTER_KEY],
      useFactory:
        (master: MasterKey): RequestDigest =>
        (requestHash) =>
          master.requestDigest(requestHash),
    },
    { provide: CLOCK, useValue: systemClock },
  ],
  exports: [
    SQL_CLIENT,
    EVENT_STORES,
    STORED_EVENT_STORE,
    EVENT_STORE,
    MASTER_KEY,
    PERSON_KEY_STORE,
    DATA_KEY_RING,
    PERSONAL_VALUES,
    REQUEST_DIGEST,
    CLOCK,
  ],
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
