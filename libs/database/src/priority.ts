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

  /** Hands the connection to the next waiter (it stays busy), or frees it. */
  private next(): void {
    const background = this.waiting.background[0];
    const starved =
      background !== undefined && performance.now() - background.since >= this.maxBackgroundWaitMs;
    const waiter =
      (starved ? this.waiting.background.shift() : this.waiting.foreground.shift()) ??
      this.waiting.background.shift();
    if (waiter) waiter.grant();
    else this.busy = false;
  }
}
