import type { SqlClient } from '@passerelle/database';
import type { EventStore, RecordedEvent, Subscription } from '@passerelle/event-store';
import { rebuildProjection } from '../rebuild/rebuild';
import {
  applyBatch,
  Checkpoint,
  ensureProjection,
  liveTables,
  progressAnnouncer,
  readCheckpoint,
  writeCheckpoint,
} from './catalog';
import type { Lease, LockProvider } from './locks';
import type { ProjectionProgress } from './progress';
import type { AnyProjection } from './projection';

export interface RunnerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface RunnerOptions {
  client: SqlClient;
  store: EventStore;
  projections: readonly AnyProjection[];
  locks: LockProvider;
  /** Told of every committed batch (in-process readers wake up without waiting for a NOTIFY). */
  progress?: ProjectionProgress;
  /** Events per batch, hence per transaction. Default 500. */
  batchSize?: number;
  logger?: RunnerLogger;
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

/** The checkpoint row is not where this runner left it: a rebuild swapped generations, or another instance ran. */
class CheckpointMovedError extends Error {}
class LeaseLostError extends Error {}

type Outcome = 'stopped' | 'lost' | 'moved';

const consoleLogger: RunnerLogger = {
  log: () => undefined,
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Follows the global log for each projection. Each batch is applied and its checkpoint stored in one
 * transaction that first locks the checkpoint row and checks it is where this runner left it, so a crash
 * neither skips nor repeats an event, and a second instance (or a rebuild swap) is noticed, not overrun.
 * Only the holder of a projection's lock runs it; the others poll for the lock and take over.
 */
export class ProjectionRunner {
  private readonly abort = new AbortController();
  private readonly statuses = new Map<string, ProjectionStatus>();
  private workers: Promise<void>[] = [];
  private readonly logger: RunnerLogger;
  private readonly batchSize: number;

  constructor(private readonly options: RunnerOptions) {
    this.logger = options.logger ?? consoleLogger;
    this.batchSize = options.batchSize ?? 500;
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
    this.workers = this.options.projections.map((projection) => this.run(projection));
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
  }

  /**
   * Resolves true once every projection has processed `position` (read your writes), false after
   * `timeoutMs`. With a ProjectionProgress it also sees batches committed by other processes.
   */
  async waitForPosition(position: number, timeoutMs: number): Promise<boolean> {
    if (this.options.progress) return this.options.progress.waitForPosition(position, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    while (Math.min(...[...this.statuses.values()].map((s) => s.position)) < position) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  status(): ProjectionStatus[] {
    return [...this.statuses.values()].map((status) => ({ ...status }));
  }

  private update(name: string, change: Partial<ProjectionStatus>): void {
    Object.assign(this.statuses.get(name)!, change);
  }

  private async run(projection: AnyProjection): Promise<void> {
    const signal = this.abort.signal;
    let delay = this.options.retryDelayMs ?? 500;
    while (!signal.aborted) {
      const lease = await this.options.locks.acquire(`projection.${projection.name}`, signal);
      if (!lease) return;
      this.update(projection.name, { active: true });
      try {
        let outcome: Outcome = 'moved';
        while (outcome === 'moved' && !signal.aborted) outcome = await this.follow(projection, lease);
        delay = this.options.retryDelayMs ?? 500;
        if (outcome === 'lost') this.logger.warn(`Projection ${projection.name}: lock lost, stepping back`);
      } catch (error) {
        this.update(projection.name, { lastError: describe(error) });
        this.logger.error(
          `Projection ${projection.name} failed: ${describe(error)}; retrying in ${delay} ms`,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
        delay = Math.min(delay * 2, 30_000);
      } finally {
        this.update(projection.name, { active: false });
        await lease.release();
      }
    }
  }

  private async follow(projection: AnyProjection, lease: Lease): Promise<Outcome> {
    const { client, store } = this.options;
    let checkpoint: Checkpoint = await ensureProjection(client, projection);
    if (checkpoint.version !== projection.version) {
      this.logger.warn(
        `Projection ${projection.name}: version ${checkpoint.version} in the database, ${projection.version} in the code; rebuilding`,
      );
      await rebuildProjection({ client, store, projection, batchSize: this.batchSize });
      checkpoint = (await readCheckpoint(client, projection.name))!;
    }
    const tables = liveTables(projection, checkpoint.generation);
    let position = checkpoint.position;
    this.update(projection.name, { position, generation: checkpoint.generation, lastError: null });
    let leaseLost = false;
    void lease.lost.then(() => (leaseLost = true));
    // Other processes' readers learn of each committed batch by a NOTIFY sent after the commit: sent
    // inside the transaction it would queue every commit in the cluster behind PostgreSQL's notify lock.
    const announcer = progressAnnouncer(client, projection.name);

    const handle = async (events: RecordedEvent[]): Promise<void> => {
      if (leaseLost) throw new LeaseLostError();
      position = await client.transaction(async (tx) => {
        const row = await readCheckpoint(tx, projection.name, true);
        if (
          !row ||
          row.position !== position ||
          row.generation !== checkpoint.generation ||
          row.version !== projection.version
        ) {
          throw new CheckpointMovedError();
        }
        const next = await applyBatch(tx, projection, tables, events, position);
        await writeCheckpoint(tx, { ...row, position: next });
        return next;
      });
      this.update(projection.name, { position });
      this.options.progress?.report(projection.name, position);
      announcer.announce(position);
    };

    const subscription: Subscription = store.subscribeToAll(
      { after: position, batchSize: this.batchSize },
      handle,
    );
    const stopped = new Promise<Outcome>((resolve) => {
      if (this.abort.signal.aborted) resolve('stopped');
      this.abort.signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    try {
      return await Promise.race([
        subscription.done.then(
          (): Outcome => 'stopped',
          (error: unknown): Outcome => {
            if (error instanceof CheckpointMovedError) return 'moved';
            if (error instanceof LeaseLostError) return 'lost';
            throw error;
          },
        ),
        lease.lost.then((): Outcome => 'lost'),
        stopped,
      ]);
    } finally {
      await subscription.stop().catch(() => undefined);
    }
  }
}
