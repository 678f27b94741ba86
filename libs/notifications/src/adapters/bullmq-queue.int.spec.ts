import { randomUUID } from 'node:crypto';
import type { SendJob, TimerJob } from '../model';
import { GiveUpError, QueueHandlers, SendAttempt } from '../ports/notification-queue.port';
import { PrivateRedis } from '../testing/redis-server';
import { BullmqNotificationQueue } from './bullmq-queue';

const REDIS_URL = 'redis://127.0.0.1:6379';

const sendJob = (id: string, notBefore: string | null = null): SendJob => ({
  notificationId: id,
  jobId: id,
  partnershipId: randomUUID(),
  position: 1,
  template: 'agreement.executed',
  recipient: 'ana@example.org',
  notBefore,
});

const timerJob = (id: string, dueAt: Date): TimerJob => ({
  timerId: id,
  kind: 'meeting_reminder',
  partnershipId: randomUUID(),
  position: 1,
  dueAt: dueAt.toISOString(),
});

const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('BullMQ notification queue (Redis)', () => {
  let queue: BullmqNotificationQueue;
  const calls: { id: string; attempt: SendAttempt }[] = [];
  const timers: string[] = [];
  let failUntilAttempt = 0;

  const handlers: QueueHandlers = {
    async send(job, attempt) {
      calls.push({ id: job.notificationId, attempt: { ...attempt, notes: [...(attempt.notes ?? [])] } });
      if (job.recipient === 'give-up@example.org') throw new GiveUpError('no such mailbox');
      if (attempt.attempt < failUntilAttempt) {
        // What an attempt noted about its hand-over reaches the next attempts, in the job kept in Redis.
        await attempt.keepNote?.({ token: `t${attempt.attempt}`, handedOver: false });
        throw new Error('try again');
      }
    },
    async timer(job) {
      timers.push(job.timerId);
      return undefined;
    },
  };

  beforeEach(() => {
    queue = new BullmqNotificationQueue({
      redisUrl: REDIS_URL,
      prefix: `passerelle-test:queue:${randomUUID()}`,
      attempts: 4,
      backoffMs: 20,
      concurrency: 4,
      keepCompletedSeconds: 3600,
    });
    calls.length = 0;
    timers.length = 0;
    failUntilAttempt = 0;
  });

  afterEach(async () => {
    await queue.obliterate();
    await queue.close();
  });

  it('runs a job once however often it is added with the same id, even after it completed', async () => {
    queue.consume(handlers);
    const id = randomUUID();
    await queue.enqueueSends([sendJob(id), sendJob(id)]);
    await queue.enqueueSends([sendJob(id)]);
    await until(async () => (await queue.counts()).sends.completed === 1);
    await queue.enqueueSends([sendJob(id)]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls.map((call) => call.id)).toEqual([id]);
  });

  it('retries with back-off, telling the handler which attempt it is and what earlier ones noted, and stops at once on GiveUpError', async () => {
    queue.consume(handlers);
    failUntilAttempt = 3;
    const retried = randomUUID();
    const hopeless = { ...sendJob(randomUUID()), recipient: 'give-up@example.org' };
    await queue.enqueueSends([sendJob(retried), hopeless]);
    await until(() => calls.filter((call) => call.id === retried).length === 3);
    expect(
      calls
        .filter((call) => call.id === retried)
        .map(({ attempt: { attempt, maxAttempts, notes } }) => ({ attempt, maxAttempts, notes })),
    ).toEqual([
      { attempt: 1, maxAttempts: 4, notes: [] },
      { attempt: 2, maxAttempts: 4, notes: [{ token: 't1', handedOver: false }] },
      {
        attempt: 3,
        maxAttempts: 4,
        notes: [
          { token: 't1', handedOver: false },
          { token: 't2', handedOver: false },
        ],
      },
    ]);
    await until(async () => (await queue.counts()).sends.completed === 1);
    expect(calls.filter((call) => call.id === hopeless.notificationId)).toHaveLength(1);
  });

  it('holds a send until its notBefore, and a timer until it is due', async () => {
    queue.consume(handlers);
    const started = Date.now();
    await queue.enqueueSends([sendJob(randomUUID(), new Date(started + 600).toISOString())]);
    const timerId = randomUUID();
    await queue.scheduleTimers([
      timerJob(timerId, new Date(started + 600)),
      timerJob(timerId, new Date(started + 600)),
    ]);
    expect((await queue.counts()).timers.delayed).toBe(1);
    await until(() => calls.length === 1 && timers.length === 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(timers).toEqual([timerId]);
  });

  it('runs a timer again later when its handler asks to wait', async () => {
    let asked = 0;
    queue.consume({
      send: handlers.send,
      async timer(job) {
        timers.push(job.timerId);
        asked += 1;
        return asked === 1 ? { retryAt: new Date(Date.now() + 300) } : undefined;
      },
    });
    await queue.scheduleTimers([timerJob(randomUUID(), new Date())]);
    await until(() => timers.length === 2);
    await until(async () => (await queue.counts()).timers.completed === 1);
  });
});

describe('BullMQ notification queue when Redis goes away', () => {
  let redis: PrivateRedis;
  let queue: BullmqNotificationQueue;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
  });
  afterAll(async () => {
    await queue?.close();
    await redis.down();
  });

  it('fails fast while Redis is down, says so, and tells when it is back', async () => {
    queue = new BullmqNotificationQueue({
      redisUrl: redis.url,
      prefix: 'passerelle-test:down',
      attempts: 2,
      backoffMs: 10,
      concurrency: 1,
      keepCompletedSeconds: 60,
      onError: () => undefined,
    });
    let reconnected = 0;
    queue.onReconnect(() => (reconnected += 1));
    expect(await queue.ping()).toBe(true);
    await redis.down();
    await until(async () => !(await queue.ping(200)));
    const started = Date.now();
    await expect(queue.enqueueSends([sendJob(randomUUID())])).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(6000);
    await redis.up();
    await until(async () => await queue.ping(200), 15_000);
    await until(() => reconnected > 0, 15_000);
    await queue.enqueueSends([sendJob(randomUUID())]);
    expect((await queue.counts()).sends.waiting).toBe(1);
  });
});
