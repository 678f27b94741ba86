import type { SendJob, TimerJob } from '../model';

export const NOTIFICATION_QUEUE = Symbol('NOTIFICATION_QUEUE');

export interface SendAttempt {
  /** 1 for the first. */
  attempt: number;
  maxAttempts: number;
}

/** What a timer handler asks of the queue: nothing (done), or to be run again at a later time. */
export type TimerResult = { retryAt: Date } | undefined;

export interface QueueHandlers {
  send(job: SendJob, attempt: SendAttempt): Promise<void>;
  timer(job: TimerJob): Promise<TimerResult>;
}

/** Thrown by a handler when trying again cannot help: the job fails at once. */
export class GiveUpError extends Error {
  override readonly name = 'GiveUpError';
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/**
 * The queue between the dispatcher and the workers, and the timers. Adding a job whose id is already known
 * does nothing: ids are deterministic, so adding twice is safe. Adapter: BullMQ on Redis.
 */
export interface NotificationQueue {
  /** Resolves once every job is stored in the queue; rejects (quickly) when the queue is unreachable. */
  enqueueSends(jobs: readonly SendJob[]): Promise<void>;
  scheduleTimers(jobs: readonly TimerJob[]): Promise<void>;
  consume(handlers: QueueHandlers): void;
  stopConsuming(): Promise<void>;
  ping(timeoutMs?: number): Promise<boolean>;
  /** Calls back when the queue's connection is ready again after an interruption. */
  onReconnect(listener: () => void): void;
  counts(): Promise<{ sends: QueueCounts; timers: QueueCounts }>;
  close(): Promise<void>;
}
