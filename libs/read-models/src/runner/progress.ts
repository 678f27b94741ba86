import { migrate, SqlClient } from '@passerelle/database';
import { PROGRESS_CHANNEL, readModelMigrations } from './catalog';

type Listener = (position: number) => void;

export interface ProgressOptions {
  /** How often checkpoints are re-read while a caller waits (notifications can be lost). */
  pollMs?: number;
}

/**
 * How far the live read models have got: the lowest checkpoint among the projections. It learns from the
 * in-process runner, from NOTIFYs sent by batches committed anywhere (a separate projector process), and
 * by reading the checkpoints while someone waits.
 */
export class ProjectionProgress {
  private readonly positions = new Map<string, number>();
  private readonly listeners = new Set<Listener>();
  private waiting = 0;
  private unlisten?: () => Promise<void>;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly client: SqlClient,
    readonly names: readonly string[],
    private readonly options: ProgressOptions = {},
  ) {
    for (const name of names) this.positions.set(name, 0);
  }

  async start(): Promise<void> {
    await migrate(this.client, readModelMigrations);
    this.unlisten = await this.client.listen(PROGRESS_CHANNEL, (payload) => this.onNotify(payload));
    await this.refresh();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.unlisten?.();
  }

  /** Position every projection has processed. */
  current(): number {
    return Math.min(...this.positions.values());
  }

  /** How many callers wait in waitForPosition now. */
  waiters(): number {
    return this.waiting;
  }

  positionOf(name: string): number {
    return this.positions.get(name) ?? 0;
  }

  /** Called by a runner in this process once a batch has committed. */
  report(name: string, position: number): void {
    const before = this.current();
    if (!this.positions.has(name) || position <= this.positions.get(name)!) return;
    this.positions.set(name, position);
    const after = this.current();
    if (after > before) for (const listener of [...this.listeners]) listener(after);
  }

  /** Listens to advances of `current()`; returns the function that stops listening. */
  onAdvance(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async refresh(): Promise<void> {
    if (this.stopped) return;
    const rows = await this.client.query<{ name: string; position: number }>(
      'SELECT name, position FROM processor_checkpoints WHERE name = ANY($1::text[])',
      [this.names],
    );
    for (const row of rows) this.report(row.name, row.position);
  }

  /** True once every projection has processed `position`; false after `timeoutMs`. */
  async waitForPosition(position: number, timeoutMs: number): Promise<boolean> {
    if (this.current() >= position) return true;
    await this.refresh().catch(() => undefined);
    if (this.current() >= position) return true;
    this.waiting += 1;
    this.schedule();
    try {
      return await new Promise<boolean>((resolve) => {
        const timeout = setTimeout(() => finish(false), timeoutMs);
        const stopListening = this.onAdvance((reached) => {
          if (reached >= position) finish(true);
        });
        function finish(result: boolean) {
          clearTimeout(timeout);
          stopListening();
          resolve(result);
        }
      });
    } finally {
      this.waiting -= 1;
    }
  }

  private onNotify(payload: string): void {
    if (payload === '') {
      // The listening connection came back: checkpoints may have moved while it was down.
      void this.refresh().catch(() => undefined);
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch {
      return; // Not ours.
    }
    const { schema, positions, name, position } = (message ?? {}) as {
      schema?: unknown;
      positions?: unknown;
      name?: unknown;
      position?: unknown;
    };
    if (schema !== this.client.schema) return;
    if (positions && typeof positions === 'object') {
      for (const [named, at] of Object.entries(positions)) if (typeof at === 'number') this.report(named, at);
    } else if (typeof name === 'string' && typeof position === 'number') {
      // One projection's position, as the release before one NOTIFY per process sent it.
      this.report(name, position);
    }
  }

  /** Polls quickly while someone waits, slowly otherwise. */
  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const delay = this.waiting > 0 ? (this.options.pollMs ?? 200) : 5000;
    this.timer = setTimeout(() => {
      void this.refresh()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }
}
