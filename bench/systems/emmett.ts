import { isExpectedVersionConflictError, STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import { closedLoop } from '../lib/load';
import { newStreamId, pick, suspensionEvent } from '../lib/payload';
import type { Sample } from '../lib/stats';
import type { BenchSystem, Load, StreamsLoad } from './types';

export interface EmmettParams {
  /** A database of its own: Emmett creates its tables and functions in `public`. */
  databaseUrl: string;
  maxConnections: number;
}

const emmettEvent = (streamId: string) => {
  const { type, data, metadata } = suspensionEvent(streamId);
  return { type, data, metadata };
};

/** Emmett's PostgreSQL event store, with a pool as large as ours and the same events. */
export async function open(params: EmmettParams): Promise<BenchSystem> {
  const pool = new Pool({ connectionString: params.databaseUrl, max: params.maxConnections });
  const store = getPostgreSQLEventStore(params.databaseUrl, { connectionOptions: { pool } });
  await store.schema.migrate();
  let streams: string[] = [];

  return {
    append({ ops, concurrency }: Load): Promise<Sample> {
      return closedLoop(concurrency, ops, async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, [emmettEvent(streamId)], {
          expectedStreamVersion: STREAM_DOES_NOT_EXIST,
        });
      });
    },

    async seedStreams({ streams: count }: StreamsLoad): Promise<void> {
      streams = Array.from({ length: count }, newStreamId);
      await closedLoop(16, count, async (index) => {
        await store.appendToStream(streams[index]!, [emmettEvent(streams[index]!)], {
          expectedStreamVersion: STREAM_DOES_NOT_EXIST,
        });
      });
    },

    readModifyAppend({ ops, concurrency, seed }: Load): Promise<Sample> {
      return closedLoop(concurrency, ops, async (index) => {
        const streamId = streams[pick(index, seed ?? 0, streams.length)]!;
        for (let conflicts = 0; ; conflicts++) {
          const { currentStreamVersion } = await store.readStream(streamId);
          try {
            await store.appendToStream(streamId, [emmettEvent(streamId)], {
              expectedStreamVersion: currentStreamVersion,
            });
            return { conflicts };
          } catch (error) {
            // By code, not class: Emmett's PostgreSQL package may load another copy of the error class.
            if (!isExpectedVersionConflictError(error)) throw error;
          }
        }
      });
    },

    async close(): Promise<void> {
      await store.close();
      await pool.end().catch(() => undefined);
    },
  };
}
