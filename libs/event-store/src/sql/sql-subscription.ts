import type { BatchHandler, RecordedEvent, Subscription } from '../event-store.port';

export interface SubscriptionSource {
  /** One batch of settled events strictly after `after`. */
  readAll(after: number, maxCount: number): Promise<RecordedEvent[]>;
  /**
   * The highest committed position, settled or not. Absent where every commit is settled by the time a
   * read can run (PGlite: one connection, so no transaction is open while another statement runs): an
   * empty read then means nothing more is committed.
   */
  committedHead?(): Promise<number>;
  /** Calls back with the last position of each committed append. */
  listen(onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  pollIntervalMs: number;
}

/** Announced but not yet settled: retry soon, backing off (an earlier transaction is still open). */
const SETTLE_RETRY_MIN_MS = 2;
const SETTLE_RETRY_MAX_MS = 128;

/**
 * Catches up in batches, then sleeps until a notification (or the slow safety poll) says there
 * is more. One loop, so batches reach the handler strictly one after the other.
 */
export class SqlSubscription implements Subscription {
  readonly done: Promise<void>;
  private stopped = false;
  /** Highest position announced by a notification. */
  private announced = 0;
  /** Set by a notification or stop(); a sleep started after it returns at once. */
  private signalled = false;
  private wake?: () => void;

  constructor(
    private readonly source: SubscriptionSource,
    options: { after: number; batchSize: number },
    handler: BatchHandler,
  ) {
    this.done = this.run(options.after, options.batchSize, handler);
    // Whoever awaits `done` sees the error; nobody awaiting it is not an unhandled rejection.
    this.done.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signal();
    await this.done.catch(() => undefined);
  }

  private async run(after: number, batchSize: number, handler: BatchHandler): Promise<void> {
    const unlisten = await this.source.listen((payload) => {
      const position = Number(payload);
      if (Number.isFinite(position) && position > this.announced) this.announced = position;
      this.signal();
    });
    try {
      let checkpoint = after;
      let retryDelay = SETTLE_RETRY_MIN_MS;
      while (!this.stopped) {
        const batch = await this.source.readAll(checkpoint, batchSize);
        if (this.stopped) break;
        if (batch.length > 0) {
          await handler(batch);
          checkpoint = batch[batch.length - 1].position;
          retryDelay = SETTLE_RETRY_MIN_MS;
          continue;
        }
        // Nothing settled: are events committed but not yet settled? (Their notification may
        // have come before we listened, or been lost.)
        if (this.announced <= checkpoint && this.source.committedHead) {
          this.announced = Math.max(this.announced, await this.source.committedHead());
        }
        if (this.stopped) break;
        if (this.announced > checkpoint) {
          await this.sleep(retryDelay);
          retryDelay = Math.min(retryDelay * 2, SETTLE_RETRY_MAX_MS);
        } else {
          retryDelay = SETTLE_RETRY_MIN_MS;
          await this.sleep(this.source.pollIntervalMs);
        }
      }
    } finally {
      await unlisten();
    }
  }

  private signal(): void {
    this.signalled = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.signalled) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.signalled = false;
        resolve();
      };
    });
  }
}
