// gate_review_queue_items on a real Redis: the poller reads each tier's waiting
// and claimed items, keeps its last figures when a poll fails, and stops polling.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { MetricsRegistry } from '../src/observability/metrics.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ReviewQueue, type ReviewItemInput } from '../src/review/review-queue.js';
import { startReviewDepthPoller } from '../src/review/review-depth-poller.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { eventually } from './helpers/gate-calls.js';
import { reviewItemOf } from './helpers/review-item.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function itemOf(listingId: string, tier: ReviewItemInput['tier']): ReviewItemInput {
  return { ...reviewItemOf(listingId), tier };
}

/** The gauge's samples, `tier/state value` each, sorted. */
async function samples(registry: MetricsRegistry): Promise<string[]> {
  return (await registry.metrics())
    .split('\n')
    .filter((line) => line.startsWith('gate_review_queue_items{'))
    .map((line) => line.replace(/^gate_review_queue_items\{tier="(\w+)",state="(\w+)"\} (\d+)$/, '$1/$2 $3'))
    .sort();
}

describe('review depth poller', () => {
  let redis: TestRedis;
  let client: Redis;
  before(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('reports waiting and claimed items by tier, keeps its last figures when Redis fails it, and stops', async () => {
    const keys = redisKeys(`depth-${randomUUID().slice(0, 8)}:`);
    const queue = new ReviewQueue(client, keys);
    await queue.ensureGroups();
    const pollerClient = new Redis(redis.url);
    const registry = new MetricsRegistry();
    const poller = startReviewDepthPoller(registry, new ReviewQueue(pollerClient, keys), 20);
    try {
      assert.deepEqual(await samples(registry), [], 'no figures before the first poll');
      for (let i = 0; i < 3; i++) await queue.enqueue(itemOf(`N${i}`, 'normal'));
      await queue.enqueue(itemOf('H0', 'high'));
      assert.equal((await queue.claim('r', 1)).length, 1, 'the high item is claimed first');
      const expected = [
        'high/claimed 1',
        'high/waiting 0',
        'low/claimed 0',
        'low/waiting 0',
        'normal/claimed 0',
        'normal/waiting 3',
        'qa/claimed 0',
        'qa/waiting 0',
      ];
      await eventually('the figures of the queue', async () => ((await samples(registry)).join() === expected.join() ? true : undefined), 3000).catch(
        async () => assert.deepEqual(await samples(registry), expected),
      );

      pollerClient.disconnect();
      await queue.enqueue(itemOf('N3', 'normal'));
      await sleep(100);
      assert.deepEqual(await samples(registry), expected, 'a failed poll keeps the last figures');
    } finally {
      poller.stop();
      pollerClient.disconnect();
    }
  });

  it('polls no more once stopped', async () => {
    const keys = redisKeys(`depth-${randomUUID().slice(0, 8)}:`);
    const queue = new ReviewQueue(client, keys);
    await queue.ensureGroups();
    const registry = new MetricsRegistry();
    let polls = 0;
    const counted = { depth: () => (polls++, queue.depth()) };
    const poller = startReviewDepthPoller(registry, counted, 20);
    await eventually('a poll', async () => (polls > 0 ? true : undefined), 3000);
    poller.stop();
    const stoppedAt = polls;
    await sleep(100);
    assert.equal(polls, stoppedAt);
  });
});
