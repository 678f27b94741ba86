import Redis from 'ioredis';
import { RedisSentinelOptions, redisOptionsFrom } from '../adapters/bullmq-queue';

/** Deletes every Redis key under `prefix` (one deployment's queues, `queuePrefixFor(config) + ':'`). */
export async function deleteQueueKeys(
  redisUrl: string,
  prefix: string,
  sentinel?: RedisSentinelOptions,
): Promise<void> {
  const redis = new Redis({
    ...redisOptionsFrom(redisUrl, sentinel),
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // Redis down: nothing was queued there either.
  } finally {
    redis.disconnect();
  }
}
