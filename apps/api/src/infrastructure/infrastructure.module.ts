import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@passerelle/config';
import { createSqlClient, migrate, SqlClient } from '@passerelle/database';
import { EVENT_STORE, EventStore, eventStoreMigrations, SqlEventStore } from '@passerelle/event-store';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CLOCK, systemClock } from '../application/clock';

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

@Global()
@Module({
  providers: [
    { provide: SQL_CLIENT, inject: [APP_CONFIG], useFactory: openDatabase },
    {
      provide: EVENT_STORE,
      inject: [SQL_CLIENT],
      useFactory: (client: SqlClient) => new SqlEventStore(client),
    },
    { provide: CLOCK, useValue: systemClock },
  ],
  exports: [SQL_CLIENT, EVENT_STORE, CLOCK],
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
