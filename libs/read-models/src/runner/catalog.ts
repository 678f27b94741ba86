import { migrate, Migration, SqlClient, SqlExecutor } from '@passerelle/database';
import { upcast } from '@passerelle/domain';
import {
  AfterCommitNotifier,
  deleteProcessorCheckpoint,
  processorCheckpointMigrations,
  readProcessorCheckpoint,
  type RecordedEvent,
  writeProcessorCheckpoint,
} from '@passerelle/event-store';
import {
  AnyProjection,
  generationSuffix,
  handlesEvent,
  ProjectedEvent,
  TableNames,
  tableNamesFor,
  viewName,
} from './projection';

/**
 * A projection's row here holds its version and live generation; its position is the processor's
 * checkpoint (`processor_checkpoints`, same name), moved in the same transaction as its rows.
 */
export const readModelMigrations: Migration[] = [
  ...processorCheckpointMigrations,
  {
    id: 'read-models/0001-projection-checkpoints',
    sql: `CREATE TABLE projection_checkpoints (
            name text PRIMARY KEY,
            position bigint NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL DEFAULT now(),
            version integer NOT NULL,
            generation integer NOT NULL
          )`,
  },
  {
    // Positions move to the processors' table; nothing is replayed or skipped across the upgrade.
    id: 'read-models/0002-positions-in-processor-checkpoints',
    sql: `INSERT INTO processor_checkpoints (name, position, updated_at)
            SELECT name, position, updated_at FROM projection_checkpoints
          ON CONFLICT (name) DO NOTHING;
          ALTER TABLE projection_checkpoints DROP COLUMN position`,
  },
];

/**
 * Notified after each batch commits (the rebuild's swap notifies inside its transaction), so a reader
 * hears of a batch once it is visible; one lost is made up for by the readers' polling.
 */
export const PROGRESS_CHANNEL = 'passerelle_projection_progress';

export interface Checkpoint {
  name: string;
  position: number;
  version: number;
  generation: number;
}

/** The checkpoint row of a rebuild in progress (live readers never look at it). */
export const rebuildCheckpointName = (name: string): string => `${name}:rebuild`;

/**
 * A projection's checkpoint: its position and its version and generation. `lock` takes both rows for the
 * rest of the transaction, the processor's first, in the order a live batch takes them.
 */
export async function readCheckpoint(
  db: SqlExecutor,
  name: string,
  lock = false,
): Promise<Checkpoint | undefined> {
  const position = await readProcessorCheckpoint(db, name, lock);
  const [row] = await db.query<Omit<Checkpoint, 'position'>>(
    `SELECT name, version, generation FROM projection_checkpoints WHERE name = $1${lock ? ' FOR UPDATE' : ''}`,
    [name],
  );
  return row ? { ...row, position: position ?? 0 } : undefined;
}

/** The version and generation only (a live batch, which already holds the processor's row). */
export async function readGeneration(
  db: SqlExecutor,
  name: string,
): Promise<Omit<Checkpoint, 'position'> | undefined> {
  const [row] = await db.query<Omit<Checkpoint, 'position'>>(
    'SELECT name, version, generation FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
    [name],
  );
  return row;
}

/** The live checkpoints of these projections, by name. */
export async function readCheckpoints(
  db: SqlExecutor,
  names: readonly string[],
): Promise<Map<string, Checkpoint>> {
  const rows = await db.query<Checkpoint>(
    `SELECT p.name, coalesce(c.position, 0) AS position, p.version, p.generation
       FROM projection_checkpoints p LEFT JOIN processor_checkpoints c ON c.name = p.name
      WHERE p.name = ANY($1::text[])`,
    [names],
  );
  return new Map(rows.map((row) => [row.name, row]));
}

/** Sets both rows regardless of the processor's holder: its next batch finds the checkpoint moved. */
export async function writeCheckpoint(db: SqlExecutor, checkpoint: Checkpoint): Promise<void> {
  await writeProcessorCheckpoint(db, checkpoint.name, checkpoint.position);
  await db.query(
    `INSERT INTO projection_checkpoints (name, version, generation, updated_at)
     VALUES ($1, $2, $3, now())
     ON CONFLICT (name) DO UPDATE
       SET version = EXCLUDED.version, generation = EXCLUDED.generation, updated_at = now()`,
    [checkpoint.name, checkpoint.version, checkpoint.generation],
  );
}

export async function deleteCheckpoint(db: SqlExecutor, name: string): Promise<void> {
  await deleteProcessorCheckpoint(db, name);
  await db.query('DELETE FROM projection_checkpoints WHERE name = $1', [name]);
}

/** A progress NOTIFY's payload: how far each named projection of `schema` got. */
export const progressPayload = (schema: string, positions: Readonly<Record<string, number>>): string =>
  JSON.stringify({ schema, positions });

/**
 * Tells other processes' readers how far this process's projections got, after their commits (lost: they
 * poll). One NOTIFY carries every projection's position: the batches of one append, committed by each
 * projection in turn, mostly go out together.
 */
export class ProgressAnnouncer {
  private readonly positions: Record<string, number> = {};
  private changes = 0;
  private readonly notifier: AfterCommitNotifier;

  constructor(client: SqlClient) {
    this.notifier = new AfterCommitNotifier(client, PROGRESS_CHANNEL, () =>
      progressPayload(client.schema, this.positions),
    );
  }

  announce(name: string, position: number): void {
    if ((this.positions[name] ?? 0) >= position) return;
    this.positions[name] = position;
    this.changes += 1;
    this.notifier.announce(this.changes);
  }

  /** Settles once every announced position has been notified (or given up on). */
  flush(): Promise<void> {
    return this.notifier.flush();
  }
}

export async function notifyProgress(
  db: SqlExecutor,
  schema: string,
  name: string,
  position: number,
): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [
    PROGRESS_CHANNEL,
    progressPayload(schema, { [name]: position }),
  ]);
}

export const liveTables = (projection: AnyProjection, generation: number): TableNames =>
  tableNamesFor(projection, generationSuffix(generation));

export async function createTables(
  db: SqlExecutor,
  projection: AnyProjection,
  tables: TableNames,
): Promise<void> {
  await dropTables(db, projection, tables);
  for (const statement of projection.migrations(tables)) await db.exec(statement);
}

/** A generation's tables, and the functions that came with them. */
export async function dropTables(
  db: SqlExecutor,
  projection: AnyProjection,
  tables: TableNames,
): Promise<void> {
  for (const table of Object.values(tables)) await db.exec(`DROP TABLE IF EXISTS ${table} CASCADE`);
  for (const routine of projection.routines?.(tables) ?? [])
    await db.exec(`DROP FUNCTION IF EXISTS ${routine}()`);
}

/** Points the readers' views at a generation's tables: atomic with the surrounding transaction. */
export async function pointViews(
  db: SqlExecutor,
  projection: AnyProjection,
  tables: TableNames,
): Promise<void> {
  for (const table of projection.tables) {
    await db.exec(
      `DROP VIEW IF EXISTS ${viewName(table)}; CREATE VIEW ${viewName(table)} AS SELECT * FROM ${tables[table]}`,
    );
  }
}

/** Creates the checkpoint table, and the first generation of a projection never seen before. */
export async function ensureProjection(client: SqlClient, projection: AnyProjection): Promise<Checkpoint> {
  await migrate(client, readModelMigrations);
  return client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `passerelle.projection.setup.${client.schema}.${projection.name}`,
    ]);
    const existing = await readCheckpoint(tx, projection.name, true);
    if (existing) return existing;
    const checkpoint = { name: projection.name, position: 0, version: projection.version, generation: 1 };
    const tables = liveTables(projection, checkpoint.generation);
    await createTables(tx, projection, tables);
    await pointViews(tx, projection, tables);
    await writeCheckpoint(tx, checkpoint);
    return checkpoint;
  });
}

/** Upcasts the events a projection handles; events at or before `after` are left out (never applied twice). */
export function eventsToApply(
  projection: AnyProjection,
  events: readonly RecordedEvent[],
  after: number,
): ProjectedEvent[] {
  const selected: ProjectedEvent[] = [];
  for (const event of events) {
    if (event.position <= after) continue;
    const current = upcast({ type: event.type, version: event.version, data: event.data });
    if (!handlesEvent(projection, current.type)) continue;
    selected.push({ ...event, type: current.type, version: current.version, data: current.data });
  }
  return selected;
}

/** Applies one batch to `tables` and returns the position the checkpoint moves to. */
export async function applyBatch(
  tx: SqlExecutor,
  projection: AnyProjection,
  tables: TableNames,
  events: readonly RecordedEvent[],
  after: number,
): Promise<number> {
  const selected = eventsToApply(projection, events, after);
  if (selected.length > 0) await projection.apply(tx, selected, tables);
  return Math.max(after, events.length ? events[events.length - 1]!.position : after);
}
