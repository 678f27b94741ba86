import type { SqlClient } from '@passerelle/database';
import {
  CheckpointMovedError,
  consoleProcessorLogger,
  describeError,
  type EventStore,
  type LockProvider,
  type ProcessorLogger,
  type Projector,
  runProcessor,
  SqlProcessorCheckpoints,
} from '@passerelle/event-store';
import { rebuildProjection } from '../rebuild/rebuild';
import {
  applyBatch,
  ensureProjection,
  liveTables,
  ProgressAnnouncer,
  readCheckpoint,
  readGeneration,
} from './catalog';
import { ProjectionProgress } from './progress';
import type { AnyProjection, TableNames } from './projection';

export interface RunnerOptions {
  client: SqlClient;
  store: EventStore;
  projections: readonly AnyProjection[];
  locks: LockProvider;
  /**
   * How far the projections got, as readers wait on it; told of every committed batch (in-process
   * readers wake up without waiting for a NOTIFY). The runner makes and starts its own when not given.
   */
  progress?: ProjectionProgress;
  /** Events per batch, hence per transaction. Default 500. */
  batchSize?: number;
  logger?: ProcessorLogger;
  /** First delay after a failure; doubles up to 30 s. Default 500 ms. */
  retryDelayMs?: number;
}

export interface ProjectionStatus {
  name: string;
  version: number;
  /** Whether this process holds the projection's lock and follows the log. */
  active: boolean;
  position: number;
  generation: number | null;
  lastError: string | null;
}

/**
 * Runs each projection as a projector of the event store's processing loop (`runProcessor`): only the
 * holder of a projection's lock follows the log, and each batch is applied in the transaction that moves
 * its checkpoint. A rebuild that swaps generations counts as a move of that checkpoint, and the first batch
 * after each claim checks the generation and version it set up with, so a swap is noticed, not overrun:
 * the processor follows again from the new generation.
 */
export class ProjectionRunner {
  private readonly abort = new AbortController();
  private readonly statuses = new Map<string, ProjectionStatus>();
  private workers: Promise<void>[] = [];
  private readonly logger: ProcessorLogger;
  private readonly batchSize: number;
  readonly progress: ProjectionProgress;
  private readonly ownsProgress: boolean;

  constructor(private readonly options: RunnerOptions) {
    this.logger = options.logger ?? consoleProcessorLogger;
    this.batchSize = options.batchSize ?? 500;
    this.ownsProgress = !options.progress;
    this.progress =
      options.progress ??
      new ProjectionProgress(
        options.client,
        options.projections.map((projection) => projection.name),
      );
    for (const projection of options.projections) {
      this.statuses.set(projection.name, {
        name: projection.name,
        version: projection.version,
        active: false,
        position: 0,
        generation: null,
        lastError: null,
      });
    }
  }

  /** Creates missing tables (so queries work at once), then follows the log in the background. */
  async start(): Promise<void> {
    await this.prepare();
    if (this.ownsProgress) await this.progress.start();
    const checkpoints = new SqlProcessorCheckpoints(this.options.client);
    // Other processes' readers learn of each committed batch by a NOTIFY sent after the commit (one for
    // every projection of this process): sent inside the transaction it would queue every commit in the
    // cluster behind PostgreSQL's notify lock. PGlite opens in one process only: no NOTIFY there; the
    // runner tells its `progress` directly, and any other reader in the process reads the checkpoints
    // while it waits.
    const announcer =
      this.options.client.dialect === 'postgres' ? new ProgressAnnouncer(this.options.client) : undefined;
    this.workers = this.options.projections.map((projection) => {
      return runProcessor({
        processor: this.projector(projection),
        store: this.options.store,
        checkpoints,
        locks: this.options.locks,
        logger: this.logger,
        signal: this.abort.signal,
        retryDelayMs: this.options.retryDelayMs,
        observer: {
          active: (active) => this.update(projection.name, { active }),
          position: (position) => {
            this.update(projection.name, { position, lastError: null });
            this.progress.report(projection.name, position);
            announcer?.announce(projection.name, position);
          },
          failed: (error) => this.update(projection.name, { lastError: describeError(error) }),
        },
      });
    });
  }

  /** Creates missing tables and reads the checkpoints, without following the log (another process does). */
  async prepare(): Promise<void> {
    for (const projection of this.options.projections) {
      const checkpoint = await ensureProjection(this.options.client, projection);
      this.update(projection.name, { position: checkpoint.position, generation: checkpoint.generation });
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.workers);
    if (this.ownsProgress) await this.progress.stop();
  }

  /** Resolves true once every projection has processed `position` (read your writes), false after `timeoutMs`. */
  waitForPosition(position: number, timeoutMs: number): Promise<boolean> {
    return this.progress.waitForPosition(position, timeoutMs);
  }

  status(): ProjectionStatus[] {
    return [...this.statuses.values()].map((status) => ({ ...status }));
  }

  private update(name: string, change: Partial<ProjectionStatus>): void {
    Object.assign(this.statuses.get(name)!, change);
  }

  private projector(projection: AnyProjection): Projector {
    const { client, store } = this.options;
    let generation = 0;
    let tables: TableNames | undefined;
    /** Whether a batch since setUp found the generation it set up with (then the checkpoint's fence keeps it). */
    let generationChecked = false;
    return {
      kind: 'projector',
      name: projection.name,
      label: `Projection ${projection.name}`,
      lockName: `projection.${projection.name}`,
      batchSize: this.batchSize,
      setUp: async () => {
        let checkpoint = await ensureProjection(client, projection);
        if (checkpoint.version !== projection.version) {
          this.logger.warn(
            `Projection ${projection.name}: version ${checkpoint.version} in the database, ${projection.version} in the code; rebuilding`,
          );
          await rebuildProjection({ client, store, projection, batchSize: this.batchSize });
          checkpoint = (await readCheckpoint(client, projection.name))!;
        }
        generation = checkpoint.generation;
        tables = liveTables(projection, generation);
        generationChecked = false;
        this.update(projection.name, { generation });
      },
      apply: async (tx, events, after) => {
        // A rebuild may swap generations between setUp and the claim. Every later swap counts as a move
        // of the checkpoint, which the batch's fenced move refuses: one check per claim is enough.
        if (!generationChecked) {
          const row = await readGeneration(tx, projection.name);
          if (!row || row.generation !== generation || row.version !== projection.version) {
            throw new CheckpointMovedError();
          }
          generationChecked = true;
        }
        await applyBatch(tx, projection, tables!, events, after);
      },
    };
  }
}
