// 10,000 review items survive a Redis restart (append-only file) and a kill -9:
// after each, every item is still there, each is claimed and decided exactly once.
import { strict as assert } from 'node:assert';
import { Redis } from 'ioredis';
import { after, before, it } from 'node:test';
import { redisKeys } from '../src/redis/redis-keys.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { startTestGate, type TestGate } from './helpers/test-gate.js';
import { postRetrying } from '../scripts/post-retrying.js';

const REVIEWER = 'durable:durable-reviewer-token-0123456789';
const auth = { authorization: 'Bearer durable-reviewer-token-0123456789' };
const ITEMS = 10_000;

let redis: TestRedis;
let gate: TestGate;
before(async () => {
  redis = await startTestRedis();
  gate = await startTestGate({ redisUrl: redis.url, prefix: 'dur:', env: { GATE_REVIEWER_TOKENS: REVIEWER } });
});
after(async () => {
  await gate.stop();
  await redis.stop();
});

async function untilReady(): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if ((await gate.get('/readyz')).ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the gate did not reconnect to Redis');
}

it(`keeps ${ITEMS.toLocaleString('en')} review items through a restart and a kill -9 of Redis, deciding each exactly once`, { timeout: 300_000 }, async () => {
  let next = 0;
  const send = async (): Promise<void> => {
    while (next < ITEMS) {
      const i = next++;
      // 32 callers at once may meet the adaptive admission bound: a refusal is retried, as a caller would.
      const response = await postRetrying(
        `${gate.url}/v1/check`,
        JSON.stringify({ listingId: `D${i}`, sellerId: `s-${i % 97}`, title: `super copy watch lot ${i}` }),
        { 'content-type': 'application/json', 'x-deadline-ms': '10000' },
      );
      assert.equal(((await response.json()) as { verdict: string }).verdict, 'review');
    }
  };
  await Promise.all(Array.from({ length: 32 }, send));
  const client = new Redis(redis.adminUrl);
  const stream = redisKeys('dur:').reviewStream('normal');
  assert.equal(await client.xlen(stream), ITEMS);
  client.disconnect();

  // A clean restart: SIGTERM makes Redis flush the AOF.
  await redis.redis.stop();
  await redis.redis.start();
  await untilReady();
  // A crash: kill -9 after the AOF's one-second fsync has run.
  await new Promise((r) => setTimeout(r, 1500));
  await redis.redis.kill();
  await redis.redis.start();
  await untilReady();

  const decided = new Set<string>();
  let duplicates = 0;
  for (;;) {
    const response = await gate.get('/v1/review/next?count=50', auth);
    const items = ((await response.json()) as { items: Array<{ reviewId: string }> }).items;
    if (items.length === 0) break;
    const result = await gate.post('/v1/review/decisions', { decisions: items.map((item) => ({ reviewId: item.reviewId, decision: 'allow' })) }, auth);
    for (const r of ((await result.json()) as { results: Array<{ ok: boolean; reviewId: string }> }).results) {
      assert.ok(r.ok);
      if (decided.has(r.reviewId)) duplicates++;
      decided.add(r.reviewId);
    }
  }
  assert.equal(duplicates, 0);
  assert.equal(decided.size, ITEMS, `${ITEMS - decided.size} items were lost`);
  const check = new Redis(redis.adminUrl);
  const decisions = await check.xlen(redisKeys('dur:').reviewDecisions);
  check.disconnect();
  assert.equal(decisions, ITEMS, 'one decision record per item');
});
