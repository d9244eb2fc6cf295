// A re-check batch reads its listings' recorded verdicts together (issue 25):
// getMany answers, for each listing, what get answers for it alone.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { connectRedis } from '../src/redis/connect-redis.js';
import { redisKeys, type RedisKeys } from '../src/redis/redis-keys.js';
import { ListingVerdicts } from '../src/review/listing-verdicts.js';
import type { CheckRequest } from '../src/gate/check-request.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { startTestRedisCluster, type TestRedisCluster } from './helpers/test-redis-cluster.js';

const listing = (listingId: string): CheckRequest => ({ listingId, sellerId: `seller-${listingId}`, title: `title of ${listingId}` });
const at = (offsetMs: number): string => new Date(Date.now() + offsetMs).toISOString();

/** What a batch of each kind of record reads as: getMany against get, listing by listing. */
async function answersAsGet(client: Redis, writeLegacy: Redis, keys: RedisKeys): Promise<void> {
  const writer = new ListingVerdicts(client, keys);
  writer.recordLater({ listingId: 'allowed', verdict: 'allow', decidedBy: 'gate', decidedAt: at(-5000) }, listing('allowed'));
  writer.recordLater(
    { listingId: 'blocked', verdict: 'block', decidedBy: 'gate', decidedAt: at(-5000), reasons: [{ code: 'indicator', ref: 'x' }] },
    listing('blocked'),
  );
  writer.recordLater({ listingId: 'allowed-after', verdict: 'block', decidedBy: 'gate', decidedAt: at(-5000) }, listing('allowed-after'));
  await writer.flush();
  writer.recordLater({ listingId: 'allowed-after', verdict: 'allow', decidedBy: 'gate', decidedAt: at(-1000) }, listing('allowed-after'));
  await writer.flush();
  await writer.record({ listingId: 'by-person', verdict: 'allow', decidedBy: 'reviewer:ana', decidedAt: at(-2000), version: 1 }, listing('by-person'));
  const everyField = {
    listingId: 'every-field',
    verdict: 'block',
    decidedBy: 'reviewer:ana',
    decidedAt: at(-1500),
    checkId: 'ck_0f8fad5b-d9cb-469f-a165-70867728950e',
    reviewId: 'rv-every-field',
    policyVersion: 'p7',
    reasons: [{ code: 'indicator', ref: 'x' }],
    complaintId: 'cp-every-field',
    version: 2,
    brands: ['brand-a', 'brand-b'],
  } as const;
  await writer.record({ ...everyField, reasons: [...everyField.reasons], brands: [...everyField.brands] }, listing('every-field'));
  await writeLegacy.hset(keys.legacyListingVerdict('legacy'), { verdict: 'review', decidedAt: at(-9000), policyVersion: 'old' });
  // Several listings per verdict shard: a shard's allow periods are read once for all of them.
  const many = Array.from({ length: 300 }, (_, i) => `bulk-${i}`);
  for (const listingId of many.filter((_, i) => i % 3 === 0))
    writer.recordLater({ listingId, verdict: 'allow', decidedBy: 'gate', decidedAt: at(-3000) }, listing(listingId));
  await writer.flush();

  const reader = new ListingVerdicts(client, keys, { recordDelayMs: 60_000 });
  reader.recordLater({ listingId: 'pending', verdict: 'review', decidedBy: 'gate', decidedAt: at(0) }, listing('pending'));
  const ids = ['never', 'allowed', 'blocked', 'allowed-after', 'by-person', 'legacy', 'pending', 'never', 'every-field', ...many];
  const together = await reader.getMany(ids);
  const alone = await Promise.all(ids.map((id) => reader.get(id)));
  assert.deepEqual(together, alone);
  assert.deepEqual(
    together.slice(0, 7).map((v) => v?.verdict),
    [undefined, 'allow', 'block', 'allow', 'allow', 'review', 'review'],
  );
  assert.deepEqual(together[8], everyField, 'every field of a record a re-check reads, and no stored listing');
  assert.equal(together.filter((v) => v?.verdict === 'allow').length, 3 + 100);
  assert.deepEqual(await reader.getMany([]), []);
}

describe('ListingVerdicts.getMany', () => {
  let redis: TestRedis;
  let client: Redis;
  let operator: Redis;
  before(async () => {
    redis = await startTestRedis();
    client = await connectRedis(redis.url, 'listing-verdicts-many-test');
    operator = new Redis(redis.adminUrl);
  });
  after(async () => {
    client.disconnect();
    operator.disconnect();
    await redis.stop();
  });

  it("answers as get does for each listing: none, an allow, a block, an allow after a block, a person's verdict, a record of an earlier version, one waiting to be written", async () => {
    await answersAsGet(client, operator, redisKeys('vm1:'));
  });
});

describe('ListingVerdicts.getMany on a Redis Cluster', () => {
  let cluster: TestRedisCluster | undefined;
  let client: Redis | undefined;
  before(async () => {
    cluster = await startTestRedisCluster();
    client = await connectRedis(cluster.urls[0] ?? '', 'listing-verdicts-many-cluster-test');
  });
  after(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('reads each verdict shard in its own call, and each record of an earlier version in its own slot, with the same answers', async () => {
    assert.ok(client);
    await answersAsGet(client, client, redisKeys('vm2:'));
  });
});
