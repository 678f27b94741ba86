import { Pool } from 'pg';
import { closedLoop } from '../lib/load';
import { newStreamId, suspensionEvent } from '../lib/payload';
import type { Sample } from '../lib/stats';
import type { BenchSystem, Load, ReadAllLoad } from './types';

export interface PgRawParams {
  databaseUrl: string;
  schema: string;
  maxConnections: number;
}

/**
 * What the hardware does without us: node-postgres and plain SQL. Appends are one autocommitted
 * single-row INSERT into a table with a bigserial key and nothing else; reads are the event store's
 * table read in position order, in batches, with no visibility filter and no mapping.
 */
export async function open(params: PgRawParams): Promise<BenchSystem> {
  const pool = new Pool({
    connectionString: params.databaseUrl,
    max: params.maxConnections,
    options: `-c search_path=${params.schema}`,
  });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${params.schema}`);
  await pool.query(`CREATE TABLE IF NOT EXISTS raw_events (
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
        await pool.query(
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

    async readAll({ batchSize }: ReadAllLoad): Promise<Sample> {
      const latenciesMs: number[] = [];
      let ops = 0;
      const started = performance.now();
      for (let after = 0; ;) {
        const t0 = performance.now();
        const { rows } = await pool.query<{ global_position: string }>(
          `SELECT global_position, stream_id, stream_revision, event_id, event_type, schema_version,
                  data, metadata, recorded_at, hash
           FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
          [after, batchSize],
        );
        latenciesMs.push(performance.now() - t0);
        if (rows.length === 0) break;
        ops += rows.length;
        after = Number(rows[rows.length - 1]!.global_position);
      }
      return { ops, elapsedMs: performance.now() - started, latenciesMs };
    },

    async close(): Promise<void> {
      await pool.end();
    },
  };
}
