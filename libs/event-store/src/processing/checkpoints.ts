import type { Migration, SqlClient, SqlExecutor } from '@passerelle/database';
import { LeaseLostError } from './locks';

/**
 * Where each processor got to in the global log. `epoch` is a fencing token: every instance that takes
 * the processor's lease claims the row and moves the epoch on, and a batch is only committed under the
 * epoch its instance claimed. A former holder whose lock died while a batch was in flight (its
 * connection killed, a failover) therefore cannot commit that batch once a successor has claimed.
 * `moves` counts the times the row was set from outside its holder's batches (a rebuild swapping
 * generations, a copied log's start): a batch is only committed under the count its instance claimed, so
 * a holder notices any such move at its next batch, even one that left the position where it was.
 */
export const processorCheckpointMigrations: Migration[] = [
  {
    id: 'event-store/processing/0001-processor-checkpoints',
    sql: `CREATE TABLE processor_checkpoints (
            name text PRIMARY KEY,
            position bigint NOT NULL DEFAULT 0,
            epoch bigint NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL DEFAULT now()
          )`,
  },
  {
    // A batch's fence and move become one UPDATE, which needs every outside write to show in the row.
    id: 'event-store/processing/0002-processor-checkpoints-moves',
    sql: 'ALTER TABLE processor_checkpoints ADD COLUMN moves bigint NOT NULL DEFAULT 0',
  },
];

/** The checkpoint is not where this instance left it: a rebuild or an operator moved it. */
export class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
}

/** A checkpoint as claimed by the instance that now holds the processor's lease. */
export interface ClaimedCheckpoint {
  name: string;
  position: number;
  epoch: number;
  /** Outside moves of the row when it was claimed (see the table's comment). */
  moves: number;
}

/** Checkpoint storage a processor needs: claim on taking the lease, fenced advance per batch. */
export interface ProcessorCheckpoints {
  /** Creates the checkpoint at 0 if missing and moves its epoch on: earlier holders are fenced out. */
  claim(name: string): Promise<ClaimedCheckpoint>;
  /** The stored position (0 when the processor never ran). */
  position(name: string): Promise<number>;
  /**
   * In one transaction: moves the row to `to` if it still carries `claimed.epoch` (else LeaseLostError)
   * and `claimed.moves` and sits at `from` (else CheckpointMovedError), then runs `within` (a projector's
   * batch) under the row's lock. The fence comes first: a batch of a former holder never runs.
   */
  advance(
    claimed: ClaimedCheckpoint,
    from: number,
    to: number,
    within?: (tx: SqlExecutor) => Promise<void>,
  ): Promise<void>;
}

interface Row {
  position: number;
  epoch: number;
  moves: number;
}

/** Reads a checkpoint; `lock` takes its row for the rest of the transaction. */
export async function readProcessorCheckpoint(
  db: SqlExecutor,
  name: string,
  lock = false,
): Promise<number | undefined> {
  const [row] = await db.query<Row>(
    `SELECT position FROM processor_checkpoints WHERE name = $1${lock ? ' FOR UPDATE' : ''}`,
    [name],
  );
  return row ? Number(row.position) : undefined;
}

/**
 * Sets a checkpoint regardless of its holder (a rebuild swapping generations): the move is counted, so
 * the holder's next batch finds the checkpoint moved, wherever it now stands.
 */
export async function writeProcessorCheckpoint(
  db: SqlExecutor,
  name: string,
  position: number,
): Promise<void> {
  await db.query(
    `INSERT INTO processor_checkpoints (name, position) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE
       SET position = EXCLUDED.position, moves = processor_checkpoints.moves + 1, updated_at = now()`,
    [name, position],
  );
}

export async function deleteProcessorCheckpoint(db: SqlExecutor, name: string): Promise<void> {
  await db.query('DELETE FROM processor_checkpoints WHERE name = $1', [name]);
}

/** Over PGlite or PostgreSQL, in the client's schema (migrated by whoever owns the processors). */
export class SqlProcessorCheckpoints implements ProcessorCheckpoints {
  constructor(private readonly client: SqlClient) {}

  async claim(name: string): Promise<ClaimedCheckpoint> {
    const [row] = await this.client.query<Row>(
      `INSERT INTO processor_checkpoints (name, position, epoch) VALUES ($1, 0, 1)
       ON CONFLICT (name) DO UPDATE SET epoch = processor_checkpoints.epoch + 1, updated_at = now()
       RETURNING position, epoch, moves`,
      [name],
    );
    return { name, position: Number(row!.position), epoch: Number(row!.epoch), moves: Number(row!.moves) };
  }

  async position(name: string): Promise<number> {
    return (await readProcessorCheckpoint(this.client, name)) ?? 0;
  }

  async advance(
    claimed: ClaimedCheckpoint,
    from: number,
    to: number,
    within?: (tx: SqlExecutor) => Promise<void>,
  ): Promise<void> {
    // A reactor's move is the one statement: no transaction around it.
    if (!within) return this.move(this.client, claimed, from, to);
    await this.client.transaction(async (tx) => {
      await this.move(tx, claimed, from, to);
      await within(tx);
    });
  }

  /** The fenced move: one UPDATE, which also takes the row's lock for the rest of the transaction. */
  private async move(db: SqlExecutor, claimed: ClaimedCheckpoint, from: number, to: number): Promise<void> {
    const moved = await db.query(
      `UPDATE processor_checkpoints SET position = $5, updated_at = now()
        WHERE name = $1 AND epoch = $2 AND moves = $3 AND position = $4
        RETURNING 1 AS moved`,
      [claimed.name, claimed.epoch, claimed.moves, from, to],
    );
    if (moved.length === 1) return;
    const [row] = await db.query<Row>(
      'SELECT position, epoch, moves FROM processor_checkpoints WHERE name = $1',
      [claimed.name],
    );
    if (!row || Number(row.epoch) !== claimed.epoch) {
      throw new LeaseLostError(`${claimed.name}: another instance has claimed the checkpoint`);
    }
    throw new CheckpointMovedError();
  }
}
