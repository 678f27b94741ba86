import { randomBytes } from 'node:crypto';
import type { SqlClient, SqlExecutor } from '@passerelle/database';
import type { EventStore, RecordedEvent } from '@passerelle/event-store';
import {
  applyBatch,
  dropTables,
  ensureProjection,
  eventsToApply,
  liveTables,
  readCheckpoint,
} from '../runner/catalog';
import { AnyProjection, ProjectedEvent, TableNames, tableNamesFor } from '../runner/projection';
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
  // One scan of each table first: row counts and a sum of 64-bit row digests. Equal, the tables hold the
  // same rows; the row-by-row EXCEPT ALL, which sorts or hashes both sides twice, only runs to name what
  // differs. A row's digest is its columns' own hash functions (hash_record_extended), which agree with
  // the equality EXCEPT ALL decides with and read a jsonb value without printing it (the rows' md5 of
  // their text cost three times as much).
  const digest = (name: string) =>
    `SELECT count(*)::text AS rows, coalesce(sum(hash_record_extended(t, 0)), 0)::text AS sum FROM ${name} t`;
  const [a] = await tx.query<{ rows: string; sum: string }>(digest(live));
  const [b] = await tx.query<{ rows: string; sum: string }>(digest(scratch));
  if (a!.rows === b!.rows && a!.sum === b!.sum) return null;
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
 * The tables of a fresh rebuild, to compare with the live ones: the projection's own DDL without its
 * secondary indexes (they serve readers, not a comparison row for row; primary keys and constraints
 * stay), and unlogged (a scratch copy needs no crash safety), so filling them costs less.
 */
async function createScratchTables(tx: SqlExecutor, projection: AnyProjection, tables: TableNames) {
  await dropTables(tx, projection, tables);
  for (const statement of projection.migrations(tables)) {
    if (/^\s*CREATE\s+INDEX\b/i.test(statement)) continue;
    await tx.exec(statement);
  }
  for (const table of Object.values(tables)) await tx.exec(`ALTER TABLE ${table} SET UNLOGGED`);
}

/**
 * A projection rebuilt from the log into scratch tables, up to exactly the live checkpoint, and compared
 * with the live tables row for row. `start` creates the tables and notes the live checkpoint; `feed` is
 * given the log in position order (events past that checkpoint are kept for `finish`); `finish` applies
 * the rest, up to the live checkpoint as it is then (the last step holds the live checkpoint row, pausing
 * the runner for the comparison only), compares, and drops the scratch tables. Memory stays one batch.
 */
export class ScratchRebuild {
  /** How far the scratch tables hold the log. */
  private position = 0;
  /** How far the log was given to `feed` (up to `target`); the events between are `pending`. */
  private given = 0;
  /** Events given and not applied yet, upcast, only those the projection handles. */
  private pending: ProjectedEvent[] = [];

  private constructor(
    private readonly client: SqlClient,
    private readonly projection: AnyProjection,
    private readonly scratch: TableNames,
    /** The live checkpoint when the rebuild started: `feed` applies up to here. */
    readonly target: number,
    /** `feed` applies at least this many events at a time (one transaction), or the last ones. */
    private readonly chunk: number,
  ) {}

  static async start(client: SqlClient, projection: AnyProjection, chunk = 1): Promise<ScratchRebuild> {
    await ensureProjection(client, projection);
    const scratch: TableNames = tableNamesFor(projection, `x${randomBytes(4).toString('hex')}`);
    await client.transaction((tx) => createScratchTables(tx, projection, scratch));
    try {
      const target = (await readCheckpoint(client, projection.name))!.position;
      return new ScratchRebuild(client, projection, scratch, target, chunk);
    } catch (error) {
      await dropTables(client, projection, scratch);
      throw error;
    }
  }

  /** Whether `feed` still wants events after the last ones it was given. */
  get wants(): boolean {
    return this.given < this.target;
  }

  /**
   * The next events of the log, in position order, from where the last batch ended. They are applied
   * once `chunk` of them (of the types the projection handles) are waiting, or the target is reached:
   * fewer, larger transactions, and none for batches that change nothing.
   */
  async feed(events: readonly RecordedEvent[]): Promise<void> {
    if (!this.wants || events.length === 0) return;
    const last = events[events.length - 1]!.position;
    const within = last <= this.target ? events : events.filter((e) => e.position <= this.target);
    for (const event of eventsToApply(this.projection, within, this.given)) this.pending.push(event);
    this.given = Math.min(last, this.target);
    if (this.pending.length >= this.chunk || !this.wants) await this.flush();
  }

  /** Applies the pending events. */
  private async flush(): Promise<void> {
    const events = this.pending;
    this.pending = [];
    if (events.length > 0) {
      const { client, projection, scratch } = this;
      await client.transaction((tx) => projection.apply(tx, events, scratch));
    }
    this.position = this.given;
  }

  /** Applies what is left up to the live checkpoint, compares, and drops the scratch tables. */
  async finish(store: EventStore, batchSize = 1000): Promise<ConsistencyReport> {
    try {
      while (this.wants) {
        const batch = await store.readAll({ after: this.given, maxCount: batchSize });
        if (batch.length === 0) break;
        await this.feed(batch);
      }
      await this.flush();
      return await this.compare(store, batchSize);
    } finally {
      await this.drop();
    }
  }

  drop(): Promise<void> {
    return dropTables(this.client, this.projection, this.scratch);
  }

  private async compare(store: EventStore, batchSize: number): Promise<ConsistencyReport> {
    const { client, projection, scratch } = this;
    for (;;) {
      const tail: RecordedEvent[] = await readRemaining(store, this.position, batchSize);
      const from = this.position;
      const report = await client.transaction(async (tx): Promise<ConsistencyReport | null> => {
        const live = (await readCheckpoint(tx, projection.name, true))!;
        const upTo = tail.length ? tail[tail.length - 1]!.position : from;
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
      if (tail.length > 0) this.position = tail[tail.length - 1]!.position;
    }
  }
}

/**
 * Rebuilds a projection from the log into scratch tables, up to exactly the live checkpoint, and compares
 * both row for row (ScratchRebuild, reading the log itself). The scratch tables are dropped afterwards.
 */
export async function checkConsistency(options: {
  client: SqlClient;
  store: EventStore;
  projection: AnyProjection;
  batchSize?: number;
}): Promise<ConsistencyReport> {
  const rebuild = await ScratchRebuild.start(options.client, options.projection);
  return rebuild.finish(options.store, options.batchSize);
}
