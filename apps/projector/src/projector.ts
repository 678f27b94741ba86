import { AppConfig, ConfigError } from '@passerelle/config';
import {
  locksFor,
  migrateAll,
  openSqlClient,
  openStoredEventStore,
} from '@passerelle/application/composition';
import type { EventStore, ProcessorLogger } from '@passerelle/event-store';
import { AnyProjection, ProjectionRunner, READ_MODEL_PROJECTIONS } from '@passerelle/read-models';

export interface ProjectorOptions {
  /** Projection names to run (default: all); instances may split them between themselves. */
  projections?: string[];
  batchSize?: number;
  /** How often a standby instance tries to take a projection's lock. */
  lockPollMs?: number;
  logger: ProcessorLogger;
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
  const client = await openSqlClient(config, { maxConnections: 4 });
  let store: EventStore | undefined;
  try {
    await migrateAll(client);
    // The events as stored: the projections fold them with personal fields sealed as the events carry
    // them (decision 0005), so the projector needs no DATA_KEY and never holds a name or an address in clear.
    store = await openStoredEventStore(config, client);
    const runner = new ProjectionRunner({
      client,
      store,
      projections,
      locks: locksFor(config, `projector:${process.pid}`, { pollMs: options.lockPollMs ?? 1000 }),
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
