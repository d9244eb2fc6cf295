// The review streams hold each item's listing as sent: a decided (acknowledged)
// entry goes once its keeping time has passed, a pending or undelivered one never
// (issue 23, point 3).
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis } from '../src/redis/connect-redis.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { DecisionEffects, type DecisionEffectsParts } from '../src/review/decision-effects.js';
import { REVIEW_GROUP } from '../src/review/review-queue.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

describe('trimming the review streams', () => {
  const keys = redisKeys('trim-review:');
  let server: TestRedis;
  let redis: Redis;
  before(async () => {
    server = await startTestRedis();
    redis = await connectRedis(server.url, 'trim-review-test');
  });
  after(async () => {
    redis.disconnect();
    await server.stop();
  });

  it('drops decided entries behind the oldest pending or undelivered one, never those', async () => {
    const stream = keys.reviewStream('normal');
    await redis.xgroup('CREATE', stream, REVIEW_GROUP, '0', 'MKSTREAM');
    const decided = await redis.xadd(stream, '*', 'reviewId', 'rv_decided', 'listing', '{}');
    const held = await redis.xadd(stream, '*', 'reviewId', 'rv_held', 'listing', '{}');
    await redis.xreadgroup('GROUP', REVIEW_GROUP, 'alice', 'COUNT', 2, 'STREAMS', stream, '>');
    await redis.xack(stream, REVIEW_GROUP, decided ?? '');
    const waiting = await redis.xadd(stream, '*', 'reviewId', 'rv_waiting', 'listing', '{}');
    await new Promise((r) => setTimeout(r, 5));
    // The entries below are not this instance's to apply: its passes only trim.
    const effects = new DecisionEffects({
      redis,
      keys,
      consumer: 'this-instance',
      log: () => undefined,
      decidedEntriesKeptMs: 1,
    } as unknown as DecisionEffectsParts);
    await effects.start(20);
    try {
      const until = Date.now() + 5000;
      while (Date.now() < until && (await redis.xrange(stream, '-', '+')).length === 3) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(
        (await redis.xrange(stream, '-', '+')).map(([id]) => id),
        [held, waiting],
        'the decided entry went; the held and the undelivered one stay',
      );
    } finally {
      effects.stop();
    }
  });
});
