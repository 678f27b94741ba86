import { DelayedError, Job, JobsOptions, Queue, RedisOptions, UnrecoverableError, Worker } from 'bullmq';
import IORedis from 'ioredis';
import type { SendJob, TimerJob } from '../model';
import {
  GiveUpError,
  HandOverNote,
  NotificationQueue,
  QueueCounts,
  QueueHandlers,
} from '../ports/notification-queue.port';

/** A send job's data: the job, and what its attempts noted about their hand-over (a few, newest last). */
type SendJobData = SendJob & { handOver?: HandOverNote[] };
const NOTES_KEPT = 5;

/** Redis through Sentinel: the master is asked of the Sentinels by name, again after every failover. */
export interface RedisSentinelOptions {
  sentinels: { host: string; port: number }[];
  name: string;
  password?: string;
}

export interface BullmqQueueOptions {
  redisUrl: string;
  /** When set, REDIS_URL gives only the master's credentials, database and TLS. */
  redisSentinel?: RedisSentinelOptions;
  /** Namespaces every key: one deployment per prefix. */
  prefix: string;
  attempts: number;
  backoffMs: number;
  concurrency: number;
  keepCompletedSeconds: number;
  /** A job whose worker stops renewing its lock this long (a killed process) goes to another worker. */
  lockDurationMs?: number;
  now?: () => Date;
  onError?: (error: Error) => void;
}

export const SEND_QUEUE = 'notification-sends';
export const TIMER_QUEUE = 'notification-timers';

/** Completed jobs kept per queue, whatever their age: enough to see recent work, bounded in Redis. */
const KEEP_COMPLETED = 1000;

/** Timers retry on their own schedule: a failure there is the database or Redis, not a recipient. */
const TIMER_ATTEMPTS = 12;
const TIMER_BACKOFF_MS = 1000;

export function redisOptionsFrom(redisUrl: string, sentinel?: RedisSentinelOptions): RedisOptions {
  const url = new URL(redisUrl);
  const master: RedisOptions = {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {}, enableTLSForSentinelMode: true } : {}),
  };
  if (!sentinel) {
    return { host: url.hostname || '127.0.0.1', port: url.port ? Number(url.port) : 6379, ...master };
  }
  return {
    ...master,
    sentinels: sentinel.sentinels.map(({ host, port }) => ({ host, port })),
    name: sentinel.name,
    ...(sentinel.password ? { sentinelPassword: sentinel.password } : {}),
    // A master demoted by a planned failover answers READONLY: reconnecting asks the Sentinels again.
    reconnectOnError: (error: Error) => error.message.startsWith('READONLY'),
    sentinelRetryStrategy: (times: number) => Math.min(100 * times, 1000),
  };
}

/**
 * BullMQ on Redis. Job ids are the notification and timer ids, so BullMQ refuses a second copy of a job it
 * still holds; completed ones are kept a while (the SQL record, not Redis, is what refuses a resend).
 * The producer side fails fast when Redis is unreachable, so the dispatcher notices and holds its checkpoint.
 */
export class BullmqNotificationQueue implements NotificationQueue {
  private readonly sends: Queue;
  private readonly timers: Queue;
  private readonly producer: IORedis;
  private workers: Worker[] = [];
  private readonly reconnectListeners: (() => void)[] = [];
  private readonly now: () => Date;
  private readonly base: RedisOptions;

  constructor(private readonly options: BullmqQueueOptions) {
    this.now = options.now ?? (() => new Date());
    this.base = redisOptionsFrom(options.redisUrl, options.redisSentinel);
    const onError = (error: Error) => this.options.onError?.(error);
    // One producer connection for both queues and the health probe: when it answers, adding jobs works.
    this.producer = new IORedis({
      ...this.base,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectionName: 'passerelle-notifications',
      retryStrategy: (times) => Math.min(100 * times, 1000),
    });
    this.sends = new Queue(SEND_QUEUE, { connection: this.producer, prefix: options.prefix });
    this.timers = new Queue(TIMER_QUEUE, { connection: this.producer, prefix: options.prefix });
    this.sends.on('error', onError);
    this.timers.on('error', onError);
    let wasDown = false;
    this.producer.on('error', onError);
    this.producer.on('close', () => (wasDown = true));
    this.producer.on('ready', () => {
      if (!wasDown) return;
      wasDown = false;
      for (const listener of this.reconnectListeners) listener();
    });
  }

  private sendOptions(job: SendJob): JobsOptions {
    const notBefore = job.notBefore ? Date.parse(job.notBefore) : 0;
    return {
      jobId: job.jobId,
      delay: Math.max(0, notBefore - this.now().getTime()),
      attempts: this.options.attempts,
      backoff: { type: 'exponential', delay: this.options.backoffMs },
      removeOnComplete: { age: this.options.keepCompletedSeconds, count: KEEP_COMPLETED },
      // What keeps failing is listed from SQL; a removed job lets a reconciliation offer a queued row again.
      removeOnFail: true,
    };
  }

  async enqueueSends(jobs: readonly SendJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.sends.addBulk(
      jobs.map((job) => ({ name: job.template, data: job, opts: this.sendOptions(job) })),
    );
  }

  async scheduleTimers(jobs: readonly TimerJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const now = this.now().getTime();
    await this.timers.addBulk(
      jobs.map((job) => ({
        name: job.kind,
        data: job,
        opts: {
          jobId: job.timerId,
          delay: Math.max(0, Date.parse(job.dueAt) - now),
          attempts: TIMER_ATTEMPTS,
          backoff: { type: 'exponential', delay: TIMER_BACKOFF_MS },
          removeOnComplete: { age: this.options.keepCompletedSeconds, count: KEEP_COMPLETED },
          // A timer that kept failing is offered again by the next reconciliation (its row is still pending).
          removeOnFail: true,
        },
      })),
    );
  }

  consume(handlers: QueueHandlers): void {
    if (this.workers.length > 0) return;
    const connection: RedisOptions = {
      ...this.base,
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
    };
    const lockDuration = this.options.lockDurationMs ?? 30_000;
    const common = {
      connection,
      prefix: this.options.prefix,
      concurrency: this.options.concurrency,
      lockDuration,
      stalledInterval: lockDuration,
      // A job may outlive several killed workers; the SQL status keeps it from being sent twice.
      maxStalledCount: 10,
    };
    const sendWorker = new Worker<SendJobData>(
      SEND_QUEUE,
      async (job: Job<SendJobData>) => {
        const { handOver, ...data } = job.data;
        try {
          await handlers.send(data, {
            attempt: job.attemptsMade + 1,
            maxAttempts: job.opts.attempts ?? 1,
            notes: handOver ?? [],
            // Stored in the job's hash in Redis: still reachable when PostgreSQL is not.
            keepNote: (note) =>
              job.updateData({
                ...job.data,
                handOver: [...(job.data.handOver ?? []), note].slice(-NOTES_KEPT),
              }),
          });
        } catch (error) {
          if (error instanceof GiveUpError) throw new UnrecoverableError(error.message);
          throw error;
        }
      },
      common,
    );
    const timerWorker = new Worker<TimerJob>(
      TIMER_QUEUE,
      async (job: Job<TimerJob>, token?: string) => {
        const result = await handlers.timer(job.data);
        if (result) {
          await job.moveToDelayed(result.retryAt.getTime(), token);
          throw new DelayedError();
        }
      },
      common,
    );
    for (const worker of [sendWorker, timerWorker])
      worker.on('error', (error) => this.options.onError?.(error));
    this.workers = [sendWorker, timerWorker];
  }

  async stopConsuming(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((worker) => worker.close()));
  }

  async ping(timeoutMs = 1000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not answer in time')), timeoutMs);
    });
    try {
      // Just started or reconnecting: give the connection the same time to become ready.
      if (this.producer.status !== 'ready') {
        await Promise.race([
          new Promise<void>((resolve) => this.producer.once('ready', () => resolve())),
          timeout,
        ]);
      }
      return (await Promise.race([this.producer.ping(), timeout])) === 'PONG';
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  async counts(): Promise<{ sends: QueueCounts; timers: QueueCounts }> {
    const of = async (queue: Queue): Promise<QueueCounts> => {
      const counts = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'failed',
        'completed',
        'prioritized',
      );
      return {
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0,
        completed: counts.completed ?? 0,
      };
    };
    return { sends: await of(this.sends), timers: await of(this.timers) };
  }

  /** Removes every key of both queues (tests, and an operator starting afresh). */
  async obliterate(): Promise<void> {
    await this.sends.obliterate({ force: true });
    await this.timers.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await this.stopConsuming();
    await Promise.allSettled([this.sends.close(), this.timers.close()]);
    if (this.producer.status === 'ready') await this.producer.quit().catch(() => this.producer.disconnect());
    else this.producer.disconnect();
  }
}
