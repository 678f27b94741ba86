import { prepareCopiedLog } from '@passerelle/application/composition';
import { createSqlClient, migrate, type SqlClient } from '@passerelle/database';
import {
  eventStoreMigrations,
  LocalLocks,
  SqlEventStore,
  WrongExpectedRevisionError,
} from '@passerelle/event-store';
import { longPartnershipAppends, organizationAppends, partnershipAppend } from '../lib/domain-log';
import { closedLoop } from '../lib/load';
import { newStreamId, pick, suspensionEvent } from '../lib/payload';
import type { Sample } from '../lib/stats';
import type { BenchSystem, Load, ReadAllLoad, StreamsLoad } from './types';

export interface StoreParams {
  /** PostgreSQL; absent for PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
  schema: string;
  maxConnections: number;
}

/** Passerelle's SqlEventStore, on PostgreSQL or PGlite, through the port as the application uses it. */
export async function open(params: StoreParams): Promise<BenchSystem> {
  const client: SqlClient = await createSqlClient(
    params.databaseUrl
      ? { databaseUrl: params.databaseUrl, schema: params.schema, maxConnections: params.maxConnections }
      : { dataDir: params.dataDir, schema: params.schema },
  );
  await migrate(client, eventStoreMigrations);
  // APPEND_BATCH_MAX as the application reads it (1: group commit off, to compare).
  const batchMax = process.env.APPEND_BATCH_MAX;
  const store = new SqlEventStore(client, { appendBatchMax: batchMax ? Number(batchMax) : undefined });
  let streams: string[] = [];
  const longStreams: string[] = [];
  const ordinaryStreams: string[] = [];
  let ordinaryCount = 0;

  return {
    /** One event to a new stream per operation. */
    append({ ops, concurrency }: Load): Promise<Sample> {
      return closedLoop(concurrency, ops, async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, [suspensionEvent(streamId)], 'no_stream');
      });
    },

    async seedStreams({ streams: count }: StreamsLoad): Promise<void> {
      streams = Array.from({ length: count }, newStreamId);
      await closedLoop(16, count, async (index) => {
        await store.appendToStream(streams[index]!, [suspensionEvent(streams[index]!)], 'no_stream');
      });
    },

    /** Read a stream, append one event at the revision read; a lost race reads again. */
    readModifyAppend({ ops, concurrency, seed }: Load): Promise<Sample> {
      return closedLoop(concurrency, ops, async (index) => {
        const streamId = streams[pick(index, seed ?? 0, streams.length)]!;
        for (let conflicts = 0; ; conflicts++) {
          const events = await store.readStream(streamId);
          try {
            await store.appendToStream(streamId, [suspensionEvent(streamId)], events.at(-1)!.revision);
            return { conflicts };
          } catch (error) {
            if (!(error instanceof WrongExpectedRevisionError)) throw error;
          }
        }
      });
    },

    /** Fills the log with `events` domain events, as the application would have written them. */
    async fillDomainLog({ events, concurrency }: { events: number; concurrency: number }): Promise<number> {
      for (const { streamId, events: batch } of organizationAppends()) {
        await store.appendToStream(streamId, batch, 'no_stream');
      }
      const perPartnership = partnershipAppend(0).events.length;
      const partnerships = Math.ceil(events / perPartnership);
      await closedLoop(concurrency, partnerships, async (n) => {
        const { streamId, events: batch } = partnershipAppend(n);
        await store.appendToStream(streamId, batch, 'no_stream');
      });
      return store.headPosition();
    },

    /**
     * Grows the log to `events` (growth curves): the organisations and `long` partnerships of
     * `longLength` events first, then ordinary partnerships of sixteen events (at least 300, so a small
     * size may end a little larger than asked), `concurrency` appends at
     * a time, through the store's own append (hash chains and all). Returns the head, and some
     * partnership stream ids of each kind.
     */
    async grow({
      events,
      concurrency,
      long,
      longLength,
    }: {
      events: number;
      concurrency: number;
      long: number;
      longLength: number;
    }): Promise<{ head: number; ordinary: string[]; long: string[]; suspended: string[] }> {
      const head = await store.headPosition();
      if (head > 0 && ordinaryCount === 0) {
        // A log this process did not grow (GROWTH_SCHEMA, kept from an earlier run): its size is taken as
        // it is, with partnerships no earlier run's commands touched.
        const found = await keptStreams(client, longLength);
        ordinaryStreams.push(...found.ordinary);
        longStreams.push(...found.long);
        ordinaryCount = found.ordinaryCount;
        if (head >= events) return { head, ...found };
      }
      if (head === 0) {
        for (const { streamId, events: batch } of organizationAppends()) {
          await store.appendToStream(streamId, batch, 'no_stream');
        }
        for (let n = 0; n < long; n++) {
          let expected: number | 'no_stream' = 'no_stream';
          for (const { streamId, events: batch } of longPartnershipAppends(longLength)) {
            const result = await store.appendToStream(streamId, batch, expected);
            expected = result.revision;
            if (!longStreams.includes(streamId)) longStreams.push(streamId);
          }
        }
      }
      const perPartnership = partnershipAppend(0).events.length;
      // At least 300 ordinary partnerships, whatever the long ones already hold.
      const missing = Math.max(
        300 - ordinaryCount,
        Math.ceil((events - (await store.headPosition())) / perPartnership),
      );
      await closedLoop(concurrency, missing, async () => {
        const { streamId, events: batch } = partnershipAppend(ordinaryCount++);
        if (ordinaryStreams.length < 1000) ordinaryStreams.push(streamId);
        await store.appendToStream(streamId, batch, 'no_stream');
      });
      return {
        head: await store.headPosition(),
        ordinary: ordinaryStreams,
        long: longStreams,
        suspended: [],
      };
    },

    /**
     * Copies this (PostgreSQL) log as it is stored into a new PGlite database in `dataDir` (growth
     * curves on the embedded store): the rows of `events` verbatim — positions, revisions,
     * ids, data, metadata, recording times and hash chains — in batches of `batchSize` rows, then the
     * position sequence. Only the transaction id is the copy's own: it says when a row became visible,
     * and PostgreSQL's ids mean nothing to PGlite (the log would stay unsettled). Far faster than
     * appending to PGlite, and the same log the store writes there.
     */
    async copyToPglite({
      dataDir,
      batchSize = 5000,
    }: {
      dataDir: string;
      batchSize?: number;
    }): Promise<number> {
      if (client.dialect !== 'postgres') throw new Error('copyToPglite copies a PostgreSQL log');
      const target = await createSqlClient({ dataDir, schema: 'public' });
      try {
        await migrate(target, eventStoreMigrations);
        const [{ count }] = await target.query<{ count: number }>(
          'SELECT count(*)::int AS count FROM events',
        );
        if (count > 0) throw new Error(`${dataDir} already holds events`);
        let copied = 0;
        for (let after = 0; ;) {
          const [batch] = await client.query<{ last: number | null; n: number; rows: string | null }>(
            `SELECT max(global_position) AS last, count(*)::int AS n, json_agg(e ORDER BY global_position)::text AS rows
               FROM (SELECT global_position, stream_id, stream_revision, event_id, event_type, schema_version,
                            data, metadata, recorded_at, hash
                       FROM events WHERE global_position > $1 ORDER BY global_position LIMIT $2) AS e`,
            [after, batchSize],
          );
          if (!batch || batch.n === 0) break;
          await target.query(
            `INSERT INTO events (global_position, stream_id, stream_revision, event_id, event_type,
                                 schema_version, data, metadata, recorded_at, hash)
             SELECT global_position, stream_id, stream_revision, event_id, event_type, schema_version,
                    data, metadata, recorded_at, hash
               FROM json_populate_recordset(NULL::events, $1::json)`,
            [batch.rows],
          );
          copied += batch.n;
          after = Number(batch.last);
        }
        if (copied > 0) {
          await target.query(
            "SELECT setval('events_position_seq', (SELECT max(global_position) FROM events))",
          );
        }
        await target.exec('CHECKPOINT');
        return copied;
      } finally {
        await target.close();
      }
    },

    /**
     * Prepares the PGlite log copied into `dataDir` for its first start, as `npm run copy-log` does
     * (prepareCopiedLog): the dispatcher at the head with the timers still to come, every read model
     * rebuilt. Returns the time of each step (ms) and the events each read.
     */
    async prepareCopy({ dataDir }: { dataDir: string }): Promise<{
      dispatcherMs: number;
      timers: number;
      rebuilds: { name: string; events: number; ms: number }[];
      totalMs: number;
    }> {
      const started = performance.now();
      const target = await createSqlClient({ dataDir, schema: 'public' });
      const targetStore = new SqlEventStore(target);
      try {
        let dispatcherMs = 0;
        const t0 = performance.now();
        const prepared = await prepareCopiedLog({
          client: target,
          store: targetStore,
          locks: new LocalLocks(),
          log: (line) => {
            if (line.startsWith('notifications:')) dispatcherMs = performance.now() - t0;
          },
        });
        return {
          dispatcherMs,
          timers: prepared.dispatcher.timers,
          rebuilds: prepared.readModels.map((result) => ({
            name: result.name,
            events: result.events,
            ms: result.durationMs,
          })),
          totalMs: performance.now() - started,
        };
      } finally {
        await targetStore.close();
        await target.close();
      }
    },

    /** The whole log from the start, in batches; one latency per batch. */
    async readAll({ batchSize }: ReadAllLoad): Promise<Sample> {
      const latenciesMs: number[] = [];
      let ops = 0;
      const started = performance.now();
      for (let after = 0; ;) {
        const t0 = performance.now();
        const batch = await store.readAll({ after, maxCount: batchSize });
        latenciesMs.push(performance.now() - t0);
        if (batch.length === 0) break;
        ops += batch.length;
        after = batch[batch.length - 1]!.position;
      }
      return { ops, elapsedMs: performance.now() - started, latenciesMs };
    },

    async close(): Promise<void> {
      await store.close();
      await client.close();
    },
  };
}

/**
 * In a log grown by an earlier process: up to 1,000 ordinary partnerships, those no earlier run's commands
 * touched first, the long ones (at least `longLength` events), which of them are suspended now (an
 * earlier run's last command may have been a suspension), and how many ordinary partnerships the log holds.
 */
async function keptStreams(
  client: SqlClient,
  longLength: number,
): Promise<{ ordinary: string[]; long: string[]; suspended: string[]; ordinaryCount: number }> {
  const streams = await client.query<{ stream_id: string; revision: string }>(
    `SELECT stream_id, max(stream_revision) AS revision FROM events
      WHERE stream_id LIKE 'partnership-%' GROUP BY stream_id ORDER BY max(stream_revision), stream_id`,
  );
  const isLong = (row: { revision: string }) => Number(row.revision) >= longLength - 1;
  const long = streams.filter(isLong).map((row) => row.stream_id);
  const ordinary = streams
    .filter((row) => !isLong(row))
    .slice(0, 1000)
    .map((row) => row.stream_id);
  const last = await client.query<{ stream_id: string; event_type: string }>(
    `SELECT DISTINCT ON (stream_id) stream_id, event_type FROM events WHERE stream_id = ANY($1::text[])
      ORDER BY stream_id, stream_revision DESC`,
    [[...ordinary, ...long]],
  );
  return {
    ordinary,
    long,
    suspended: last.filter((row) => row.event_type === 'PartnershipSuspended').map((row) => row.stream_id),
    ordinaryCount: streams.length - long.length,
  };
}
