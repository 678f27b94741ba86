import type {
  NotificationRecord,
  NotificationStatus,
  PlannedNotification,
  PlannedTimer,
  TimerRecord,
  TimerStatus,
} from '../model';

export const NOTIFICATION_STORE = Symbol('NOTIFICATION_STORE');

/** The dispatcher's row in `processor_checkpoints` (the name it had in the read models' table before). */
export const DISPATCHER_CHECKPOINT = 'notification_dispatcher';

export interface NotificationQuery {
  partnershipId?: string;
  status?: NotificationStatus;
  limit: number;
  offset: number;
}

export interface OutstandingWork {
  /** Queued, left sending, or sent but not yet recorded in the log. */
  notifications: NotificationRecord[];
  timers: TimerRecord[];
}

/**
 * What notifications keep in SQL, beside the read models: the dispatcher's checkpoint, every planned message
 * with its delivery status (the record that makes a send happen once), and the timers.
 */
export interface NotificationStore {
  migrate(): Promise<void>;

  /** How far the dispatcher has got (its processor checkpoint, moved by the dispatcher itself). */
  checkpoint(): Promise<number>;

  /** Records planned messages and timers; those already recorded are left as they are. */
  record(notifications: readonly PlannedNotification[], timers: readonly PlannedTimer[]): Promise<void>;
  /** Work caused by events in (after, upTo] still to hand to the queue. */
  outstandingBetween(after: number, upTo: number): Promise<OutstandingWork>;
  /**
   * All work still to hand to the queue (after a restart, or a Redis that lost its data); with
   * `timersDueBefore`, only the pending timers due before then (every open message still).
   */
  outstanding(options?: { timersDueBefore?: Date }): Promise<OutstandingWork>;
  /** Messages of one source (a timer that fired) still to send. */
  queuedFrom(sourceId: string): Promise<NotificationRecord[]>;

  get(id: string): Promise<NotificationRecord | null>;
  /**
   * queued → sending, one attempt more, if `jobId` (when given) still carries it; null otherwise. `token`
   * names the attempt (kept as `sendingToken`), so what its job learnt can be matched with the row later.
   */
  claim(id: string, jobId?: string, token?: string): Promise<NotificationRecord | null>;
  /** → sent; the record as it now stands. */
  markSent(
    id: string,
    receipt: { messageId: string; response: string },
    at: Date,
  ): Promise<NotificationRecord | null>;
  markAudited(id: string, position: number): Promise<void>;
  /** Back to queued after a failed attempt that will be retried (only the attempt `token`, when given). */
  markRetrying(id: string, error: string, token?: string): Promise<boolean>;
  markFailed(id: string, error: string): Promise<void>;
  markSkipped(id: string, reason: string): Promise<void>;
  /** failed → queued with a new job id (a manual retry); null when it was not failed. */
  requeue(id: string): Promise<NotificationRecord | null>;

  list(query: NotificationQuery): Promise<NotificationRecord[]>;
  count(query: Omit<NotificationQuery, 'limit' | 'offset'>): Promise<number>;
  /** How many messages stand in each status, every status listed (one query, for metrics). */
  countByStatus(): Promise<Record<NotificationStatus, number>>;

  /**
   * Erases the addresses a forgotten person is known by (the predicate recognises them): nothing more is
   * sent to them and the record keeps no trace of the address. Returns how many messages it touched.
   */
  eraseRecipients(isForgotten: (email: string) => boolean): Promise<number>;

  timer(id: string): Promise<TimerRecord | null>;
  finishTimer(id: string, status: Exclude<TimerStatus, 'pending'>, outcome: string): Promise<void>;
}
