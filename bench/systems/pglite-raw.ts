import { PGlite } from '@electric-sql/pglite';
import { closedLoop } from '../lib/load';
import { newStreamId, suspensionEvent } from '../lib/payload';
import type { Sample } from '../lib/stats';
import type { BenchSystem, Load } from './types';

export interface PgliteRawParams {
  dataDir: string;
}

/** PGlite without us: one single-row INSERT per operation, straight through its query API. */
export async function open(params: PgliteRawParams): Promise<BenchSystem> {
  const db = new PGlite(params.dataDir);
  await db.waitReady;
  await db.exec(`CREATE TABLE IF NOT EXISTS raw_events (
    position bigserial PRIMARY KEY,
    stream_id text NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    schema_version integer NOT NULL,
    data jsonb NOT NULL,
    metadata jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
  )`);

  return {
    append({ ops, concurrency }: Load): Promise<Sample> {
      return closedLoop(concurrency, ops, async () => {
        const streamId = newStreamId();
        const event = suspensionEvent(streamId);
        await db.query(
          `INSERT INTO raw_events (stream_id, event_id, event_type, schema_version, data, metadata)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            streamId,
            event.id,
            event.type,
            event.version,
            JSON.stringify(event.data),
            JSON.stringify(event.metadata),
          ],
        );
      });
    },

    async close(): Promise<void> {
      await db.close();
    },
  };
}
