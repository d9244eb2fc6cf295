// A check of a seller the ring flags name is answered with the ring as it will be
// once the check's links are written (ring-status-linked.lua, read only), and the
// links are written after the answer. Property: on any graph of links and
// confirmed sellers, that answer equals the ring read back after the links are
// written (link-seller.lua's union by size, ties, rings merged through several
// attributes, a seller seen for the first time).
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { connectRedis } from '../src/redis/connect-redis.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { type RingAttribute, SellerRings } from '../src/rings/seller-rings.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

const SELLERS = ['s0', 's1', 's2', 's3', 's4', 's5', 's6'];
const attribute = fc.oneof(
  fc.constantFrom('p0', 'p1', 'p2', 'p3').map((value): RingAttribute => ({ kind: 'phone', value })),
  fc.constantFrom('d0', 'd1', 'd2').map((value): RingAttribute => ({ kind: 'device', value })),
);
const link = fc.record({ sellerId: fc.constantFrom(...SELLERS), attributes: fc.array(attribute, { maxLength: 3 }) });

describe('the ring answered before its links are written', () => {
  let redis: TestRedis;
  let client: Redis;
  let run = 0;

  before(async () => {
    redis = await startTestRedis();
    client = await connectRedis(redis.url, 'ring-status-linked-test');
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('equals the ring read back once the links are written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(link, { maxLength: 8 }), fc.subarray(SELLERS, { maxLength: 3 }), link, async (earlier, confirmed, checked) => {
        const keys = redisKeys(`rsl${run++}:`);
        const rings = new SellerRings(client, keys, { linkDelayMs: 1000 });
        const fresh = new SellerRings(client, keys);
        try {
          for (const [i, { sellerId, attributes }] of earlier.entries()) rings.linkLater(sellerId, attributes, `L-earlier-${i}`, '');
          await rings.flushLinks();
          if (confirmed.length > 0) await rings.confirm(confirmed, true);
          const answered = await rings.linkAndStatus(checked.sellerId, checked.attributes, 'L-checked', '');
          await rings.flushLinks();
          assert.deepEqual(answered, await fresh.status(checked.sellerId));
        } finally {
          rings.close();
          fresh.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
