import { createSqlClient, migrate } from '@passerelle/database';
import { eventStoreMigrations, SqlEventStore } from '@passerelle/event-store';
import { READ_MODEL_PROJECTIONS, rebuildProjection } from '@passerelle/read-models';
import type { Sample } from '../lib/stats';
import type { BenchSystem } from './types';

export interface ReadSideParams {
  databaseUrl: string;
  /** The schema holding the domain log; the read models are built beside it. */
  schema: string;
}

/** The read side's blue/green rebuild (libs/read-models), as the operator endpoint runs it. */
export async function open(params: ReadSideParams): Promise<BenchSystem> {
  const client = await createSqlClient({
    databaseUrl: params.databaseUrl,
    schema: params.schema,
    maxConnections: 4,
  });
  await migrate(client, eventStoreMigrations);
  const store = new SqlEventStore(client);

  return {
    /**
     * Rebuilds every projection in turn from the start of the log. One unit of work is one log event
     * through one projection; one latency per projection rebuilt.
     */
    async rebuild(): Promise<Sample & { perProjection: Record<string, number> }> {
      const latenciesMs: number[] = [];
      const perProjection: Record<string, number> = {};
      let ops = 0;
      const started = performance.now();
      for (const projection of READ_MODEL_PROJECTIONS) {
        const t0 = performance.now();
        const result = await rebuildProjection({ client, store, projection, batchSize: 1000 });
        const ms = performance.now() - t0;
        latenciesMs.push(ms);
        ops += result.events;
        perProjection[projection.name] = Math.round((result.events * 1000) / ms);
      }
      return { ops, elapsedMs: performance.now() - started, latenciesMs, perProjection };
    },

    async close(): Promise<void> {
      await store.close();
      await client.close();
    },
  };
}
