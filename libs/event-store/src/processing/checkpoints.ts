import type { Migration, SqlClient, SqlExecutor } from '@passerelle/database';
import { LeaseLostError } from './locks';

/**
 * Where each processor got to in the global log. `epoch` is a fencing token: every instance that takes
 * the processor's lease claims the row and moves the epoch on, and a batch is only committed under the
 * epoch its instance claimed. A former holder whose lock died while a batch was in flight (its
 * connection killed, a failover) therefore cannot commit that batch once a successor has claimed.
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
}

/** Checkpoint storage a processor needs: claim on taking the lease, fenced advance per batch. */
export interface ProcessorCheckpoints {
  /** Creates the checkpoint at 0 if missing and moves its epoch on: earlier holders are fenced out. */
  claim(name: string): Promise<ClaimedCheckpoint>;
  /** The stored position (0 when the processor never ran). */
  position(name: string): Promise<number>;
  /**
   * In one transaction: checks the row still carries `claimed.epoch` (else LeaseLostError) and sits at
   * `from` (else CheckpointMovedError), runs `within` (a projector's batch), and moves it to `to`.
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

/** Sets a checkpoint regardless of its holder (a rebuild swapping generations; the holder's next batch sees it moved). */
export async function writeProcessorCheckpoint(
  db: SqlExecutor,
  name: string,
  position: number,
): Promise<void> {
  await db.query(
    `INSERT INTO processor_checkpoints (name, position) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
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
       RETURNING position, epoch`,
      [name],
    );
    return { name, position: Number(row!.position), epoch: Number(row!.epoch) };
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
    await this.client.transaction(async (tx) => {
      const [row] = await tx.query<Row>(
        'SELECT position, epoch FROM processor_checkpoints WHERE name = $1 FOR UPDATE',
        [claimed.name],
      );
      if (!row || Number(row.epoch) !== claimed.epoch) {
        throw new LeaseLostError(`${claimed.name}: another instance has claimed the checkpoint`);
      }
      if (Number(row.position) !== from) throw new CheckpointMovedError();
      await within?.(tx);
      await tx.query('UPDATE processor_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [
        claimed.name,
        to,
      ]);
    });
  }
}
