import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which work a query serves: `foreground` (someone is waiting for the answer: an HTTP request) or
 * `background` (projections, the e-mail dispatcher, start-up: nobody waits on one query). Only the
 * embedded PGlite uses it, to order its single connection (see ConnectionQueue); on PostgreSQL each
 * query has a pooled connection of its own and the lane changes nothing.
 */
export type Lane = 'foreground' | 'background';

const lanes = new AsyncLocalStorage<Lane>();

/** Runs `work`, and everything it starts, in the foreground lane (an HTTP request's handling). */
export function inForeground<T>(work: () => T): T {
  return lanes.run('foreground', work);
}

/** The lane of the code running now: background unless inside inForeground. */
export function currentLane(): Lane {
  return lanes.getStore() ?? 'background';
}

interface Waiter {
  since: number;
  grant(): void;
}

/**
 * One connection, taken in turn. Foreground work goes before background work that is waiting, except
 * that background work waiting `maxBackgroundWaitMs` or more goes next, so a stream of requests slows
 * the projections down (they then read larger batches) but never stops them. Within a lane, first
 * come, first served. Whoever holds the connection keeps it until `work` settles (a whole transaction).
 * Background work is handed the connection only after a turn of the event loop (see next).
 */
export class ConnectionQueue {
  private busy = false;
  private readonly waiting: Record<Lane, Waiter[]> = { foreground: [], background: [] };

  constructor(private readonly maxBackgroundWaitMs = 50) {}

  async run<T>(work: () => Promise<T>, lane: Lane = currentLane()): Promise<T> {
    if (this.busy || this.waiting.foreground.length > 0 || this.waiting.background.length > 0) {
      await new Promise<void>((grant) => this.waiting[lane].push({ since: performance.now(), grant }));
    } else {
      this.busy = true;
    }
    try {
      return await work();
    } finally {
      this.next();
    }
  }

  /**
   * Hands the connection to the next waiter (it stays busy), or frees it. Before background work, the
   * event loop turns once: PGlite runs each statement synchronously, so a chain of background statements
   * would otherwise run back to back while requests that arrived meanwhile wait to be read at all; after
   * the turn they are in the queue, and go first.
   */
  private next(): void {
    const { foreground, background } = this.waiting;
    if (foreground.length > 0 && !this.starved()) foreground.shift()!.grant();
    else if (background.length > 0) setImmediate(() => this.grantNext());
    else this.busy = false;
  }

  private grantNext(): void {
    const { foreground, background } = this.waiting;
    const waiter = (this.starved() ? background.shift() : foreground.shift()) ?? background.shift();
    waiter!.grant();
  }

  /** Whether the oldest background waiter has waited `maxBackgroundWaitMs` or more. */
  private starved(): boolean {
    const oldest = this.waiting.background[0];
    return oldest !== undefined && performance.now() - oldest.since >= this.maxBackgroundWaitMs;
  }
}
