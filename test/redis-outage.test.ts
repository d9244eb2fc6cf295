// Redis goes away: the gate keeps answering (review, with reason degraded),
// keeps the review items it could not queue on local disk, and queues them once
// Redis is back, none lost and none twice.
import { strict as assert } from 'node:assert';
import { Redis } from 'ioredis';
import { it } from 'node:test';
import { redisKeys } from '../src/redis/redis-keys.js';
import { startTestRedis } from './helpers/test-redis.js';
import { admin, startTestGate } from './helpers/test-gate.js';

/** The reviewIds in the normal-tier stream, once all of `expected` are there (or after 15 s). */
async function queuedReviewIds(url: string, prefix: string, expected: readonly string[]): Promise<string[]> {
  const client = new Redis(url);
  const stream = redisKeys(prefix).reviewStream('normal');
  const deadline = Date.now() + 15_000;
  let ids: string[] = [];
  try {
    while (Date.now() < deadline) {
      ids = (await client.xrange(stream, '-', '+')).map(([, fields]) => fields[fields.indexOf('reviewId') + 1] ?? '');
      if (expected.every((id) => ids.includes(id))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.disconnect();
  }
  return ids;
}

it('spools review items while Redis is down and queues them when it returns', { timeout: 60_000 }, async () => {
  const redis = await startTestRedis();
  const gate = await startTestGate({ redisUrl: redis.url, prefix: 'outage:', env: { GATE_DEFAULT_DEADLINE_MS: '200' } });
  try {
    await redis.redis.stop();
    const reviewIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const response = await gate.post('/v1/check', { listingId: `O${i}`, sellerId: 's-o', title: `super copy bag ${i}` });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { verdict: string; reviewId: string; reasons: Array<{ code: string; ref: string }> };
      assert.equal(body.verdict, 'review');
      assert.ok(body.reviewId);
      assert.ok(body.reasons.some((r) => r.code === 'degraded' && r.ref === 'review-queue:spooled'));
      assert.ok(performance.now() - started < 1000, 'answered promptly while Redis is down');
      reviewIds.push(body.reviewId);
    }
    // Changes cannot be made while Redis is down: refused with 503 and retry-after, not lost silently.
    const change = await gate.post('/v1/admin/lists/sellers', { values: ['s-x'] }, admin());
    assert.equal(change.status, 503);
    assert.equal(change.headers.get('retry-after'), '1');
    assert.equal(((await change.json()) as { error: { code: string } }).error.code, 'GATE_ERR_NOT_READY');
    // A listing with no signal at all: the list check could not run, so not a silent allow.
    const clean = (await (await gate.post('/v1/check', { listingId: 'O-clean', sellerId: 's-o', title: 'kids building blocks' })).json()) as { verdict: string };
    assert.equal(clean.verdict, 'review');
    await redis.redis.start();
    const ids = await queuedReviewIds(redis.url, 'outage:', reviewIds);
    for (const id of reviewIds) assert.ok(ids.includes(id), `${id} was lost`);
    assert.equal(new Set(ids).size, ids.length, 'no item queued twice');
  } finally {
    await gate.stop();
    await redis.stop();
  }
});

it('answers within the deadline while Redis is frozen (SIGSTOP), and loses no review item', { timeout: 60_000 }, async () => {
  const redis = await startTestRedis();
  const gate = await startTestGate({ redisUrl: redis.url, prefix: 'frozen:' });
  try {
    await gate.post('/v1/check', { listingId: 'W0', sellerId: 's-w', title: 'warm up' });
    redis.redis.pause();
    const reviewIds: string[] = [];
    let slowest = 0;
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const response = await gate.post('/v1/check', { listingId: `F${i}`, sellerId: `s-f${i}`, title: `super copy bag ${i}` }, { 'x-deadline-ms': '50' });
      slowest = Math.max(slowest, performance.now() - started);
      const body = (await response.json()) as { verdict: string; reviewId: string };
      assert.equal(body.verdict, 'review');
      reviewIds.push(body.reviewId);
    }
    assert.ok(slowest < 50 + 150, `the slowest answer took ${slowest.toFixed(0)} ms with a 50 ms deadline`);
    // The shop-opening check keeps the same promise: in time, never a silent allow.
    const started = performance.now();
    const shop = await gate.post('/v1/check/seller', { sellerId: 's-new-shop', businessName: 'Plain Goods' }, { 'x-deadline-ms': '50' });
    const shopTook = performance.now() - started;
    const shopBody = (await shop.json()) as { verdict: string; reviewId: string; reasons: Array<{ code: string; ref: string }> };
    assert.equal(shopBody.verdict, 'review');
    assert.ok(shopBody.reasons.some((r) => r.code === 'degraded' && r.ref === 'lists:deadline'), JSON.stringify(shopBody.reasons));
    assert.ok(shopTook < 50 + 150, `the shop check took ${shopTook.toFixed(0)} ms with a 50 ms deadline`);
    reviewIds.push(shopBody.reviewId);
    redis.redis.resume();
    const ids = await queuedReviewIds(redis.url, 'frozen:', reviewIds);
    for (const id of reviewIds) assert.ok(ids.includes(id), `${id} was lost`);
    assert.equal(new Set(ids).size, ids.length, 'no item queued twice');
  } finally {
    redis.redis.resume();
    await gate.stop();
    await redis.stop();
  }
});
