// Issue 23, "every key has an end": the families docs/redis-keys.md listed as not
// yet bounded, each shown to get its TTL or bound on a real Redis (and a real gate
// where people's calls write them), what a person still needs kept meanwhile.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { contentHash } from '../src/gate/content-hash.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ReviewQueue, type ReviewItemInput } from '../src/review/review-queue.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function itemOf(listingId: string, title = `replica bag ${randomUUID()}`): ReviewItemInput {
  const listing = { listingId, sellerId: `s-${listingId}`, title };
  return { listingId, sellerId: listing.sellerId, contentHash: contentHash(listing), policyVersion: 'p1', checkId: `ck_${randomUUID()}`, score: 60, tier: 'normal', priority: 60, reasons: [], listing };
}

describe('review queue state', () => {
  let redis: TestRedis;
  let client: Redis;
  let operator: Redis;
  before(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
    operator = new Redis(redis.adminUrl);
  });
  after(async () => {
    client.disconnect();
    operator.disconnect();
    await redis.stop();
  });

  it('keeps about GATE_REVIEW_DEAD_MAXLEN dead letters, the newest', async () => {
    const keys = redisKeys('dead:');
    const queue = new ReviewQueue(client, keys, { leaseMs: 20, maxDeliveries: 1, deadMaxLen: 100 });
    await queue.ensureGroups();
    await Promise.all(Array.from({ length: 250 }, (_, i) => queue.enqueue(itemOf(`DL${i}`))));
    assert.equal((await queue.claim('walked-away', 250)).length, 250);
    await sleep(50);
    assert.deepEqual(await queue.claim('next', 250), [], 'every item was delivered once too often');
    const letters = await operator.xlen(keys.reviewDeadLetters);
    // MAXLEN ~ trims whole stream nodes (100 entries by default): at most one node over.
    assert.ok(letters >= 100 && letters <= 200, `${letters} dead letters of 250`);
    const reviewIdOfLast = async (stream: string): Promise<string | undefined> => {
      const [[, fields] = ['', []]] = await operator.xrevrange(stream, '+', '-', 'COUNT', 1);
      return fields[fields.indexOf('reviewId') + 1];
    };
    assert.equal(await reviewIdOfLast(keys.reviewDeadLetters), await reviewIdOfLast(keys.reviewStream('normal')), 'the newest dead letter is kept');
  });
});
