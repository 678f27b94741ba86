import type { SendJob, TimerJob } from '../model';

export const NOTIFICATION_QUEUE = Symbol('NOTIFICATION_QUEUE');

/**
 * What a worker knew about one attempt's hand-over when the database could not be told: the message of
 * attempt `token` never reached the transport, or it did (with the transport's receipt).
 */
export type HandOverNote =
  | { token: string; handedOver: false }
  | { token: string; handedOver: true; receipt: { messageId: string; response: string }; at: string };

export interface SendAttempt {
  /** 1 for the first. */
  attempt: number;
  maxAttempts: number;
  /** The notes earlier attempts of this job left (oldest first). */
  notes?: readonly HandOverNote[];
  /** Keeps a note with the job, where the next attempt finds it; rejects when the queue is unreachable. */
  keepNote?(note: HandOverNote): Promise<void>;
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
