import { randomBytes } from 'node:crypto';
import type { SqlClient, SqlExecutor } from '@passerelle/database';
import type { EventStore, RecordedEvent } from '@passerelle/event-store';
import {
  applyBatch,
  createTables,
  dropTables,
  ensureProjection,
  liveTables,
  readCheckpoint,
} from '../runner/catalog';
import { AnyProjection, TableNames, tableNamesFor } from '../runner/projection';
import { readRemaining } from './rebuild';

export interface TableDifference {
  table: string;
  /** Rows a fresh rebuild has that the live table lacks (or holds differently); capped at `cap`. */
  missing: number;
  /** Rows the live table has that a fresh rebuild lacks (or holds differently); capped at `cap`. */
  unexpected: number;
  /** Keys of a few differing rows. */
  samples: Record<string, unknown>[];
}

export interface ConsistencyReport {
  name: string;
  /** The position both sides were compared at. */
  position: number;
  ok: boolean;
  differences: TableDifference[];
}

const CAP = 1000;

async function compareTable(
  tx: SqlExecutor,
  keys: readonly string[],
  live: string,
  scratch: string,
  table: string,
): Promise<TableDifference | null> {
  const keyList = keys.join(', ');
  const missing = await tx.query<Record<string, unknown>>(
    `SELECT ${keyList} FROM (SELECT * FROM ${scratch} EXCEPT ALL SELECT * FROM ${live}) d LIMIT ${CAP}`,
  );
  const unexpected = await tx.query<Record<string, unknown>>(
    `SELECT ${keyList} FROM (SELECT * FROM ${live} EXCEPT ALL SELECT * FROM ${scratch}) d LIMIT ${CAP}`,
  );
  if (missing.length === 0 && unexpected.length === 0) return null;
  return {
    table,
    missing: missing.length,
    unexpected: unexpected.length,
    samples: [...missing, ...unexpected].slice(0, 5),
  };
}

/**
 * Rebuilds a projection from the log into scratch tables, up to exactly the live checkpoint (the last
 * step holds the live checkpoint row, pausing the runner for the comparison only), and compares both
 * row for row. The scratch tables are dropped afterwards.
 */
export async function checkConsistency(options: {
  client: SqlClient;
  store: EventStore;
  projection: AnyProjection;
  batchSize?: number;
}): Promise<ConsistencyReport> {
  const { client, store, projection } = options;
  const batchSize = options.batchSize ?? 1000;
  await ensureProjection(client, projection);
  const scratch: TableNames = tableNamesFor(projection, `x${randomBytes(4).toString('hex')}`);
  await client.transaction((tx) => createTables(tx, projection, scratch));
  try {
    const target = (await readCheckpoint(client, projection.name))!.position;
    let position = 0;
    while (position < target) {
      const batch = (await store.readAll({ after: position, maxCount: batchSize })).filter(
        (e) => e.position <= target,
      );
      if (batch.length === 0) break;
      const from = position;
      position = await client.transaction((tx) => applyBatch(tx, projection, scratch, batch, from));
    }
    for (;;) {
      const tail: RecordedEvent[] = await readRemaining(store, position, batchSize);
      const from = position;
      const report = await client.transaction(async (tx): Promise<ConsistencyReport | null> => {
        const live = (await readCheckpoint(tx, projection.name, true))!;
        const upTo = tail.length ? tail[tail.length - 1]!.position : position;
        if (live.position > upTo) {
          await applyBatch(tx, projection, scratch, tail, from);
          return null;
        }
        await applyBatch(
          tx,
          projection,
          scratch,
          tail.filter((event) => event.position <= live.position),
          from,
        );
        const tables = liveTables(projection, live.generation);
        const differences: TableDifference[] = [];
        for (const table of projection.tables) {
          const difference = await compareTable(
            tx,
            projection.keys[table]!,
            tables[table]!,
            scratch[table]!,
            table,
          );
          if (difference) differences.push(difference);
        }
        return { name: projection.name, position: live.position, ok: differences.length === 0, differences };
      });
      if (report) return report;
      if (tail.length > 0) position = tail[tail.length - 1]!.position;
    }
  } finally {
    await dropTables(client, scratch);
  }
}
