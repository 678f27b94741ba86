import { randomUUID } from 'node:crypto';
import type { SendJob } from '../model';
import { QueueHandlers } from '../ports/notification-queue.port';
import { PrivateSentinelSet } from '../testing/redis-sentinel';
import { BullmqNotificationQueue } from './bullmq-queue';

const sendJob = (id: string): SendJob => ({
  notificationId: id,
  jobId: id,
  partnershipId: randomUUID(),
  position: 1,
  template: 'agreement.executed',
  recipient: 'ana@example.org',
  notBefore: null,
});

const until = async (condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('BullMQ notification queue through Redis Sentinel', () => {
  jest.setTimeout(60_000);

  let set: PrivateSentinelSet;
  let queue: BullmqNotificationQueue;
  const sent: string[] = [];
  const handlers: QueueHandlers = {
    async send(job) {
      sent.push(job.notificationId);
    },
    async timer() {
      return undefined;
    },
  };

  beforeAll(async () => {
    set = await PrivateSentinelSet.start();
    queue = new BullmqNotificationQueue({
      // Only the credentials of the URL count with Sentinels; its host and port point nowhere on purpose.
      redisUrl: 'redis://127.0.0.1:1',
      redisSentinel: { sentinels: set.sentinels, name: set.masterName },
      prefix: `passerelle-test:sentinel:${randomUUID()}`,
      attempts: 4,
      backoffMs: 20,
      concurrency: 2,
      keepCompletedSeconds: 3600,
    });
  });

  afterAll(async () => {
    try {
      await queue?.close();
    } finally {
      await set?.stop();
    }
  });

  it('finds the master through the Sentinels, follows a failover, and runs a job enqueued after it', async () => {
    queue.consume(handlers);
    const before = randomUUID();
    await until(() => queue.ping());
    await queue.enqueueSends([sendJob(before)]);
    await until(() => sent.includes(before));
    const oldMaster = await set.masterPort();
    expect(oldMaster).toBe(set.redisPorts[0]);

    const newMaster = await set.killMaster();
    expect(newMaster).toBe(set.redisPorts[1]);

    // The producer fails fast while it reconnects (the dispatcher retries the same way).
    const after = randomUUID();
    await until(async () => {
      try {
        await queue.enqueueSends([sendJob(after)]);
        return true;
      } catch {
        return false;
      }
    });
    await until(() => sent.includes(after));
    expect(sent.filter((id) => id === after)).toHaveLength(1);
    expect(await queue.ping()).toBe(true);
  });
});
