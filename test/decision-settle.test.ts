// A reviewer's answer waits for the decision's effects even when another
// instance's sweep read the decision first (seen in CI: the undo answered, and
// the listing still showed the undone verdict, because the other instance was
// still applying the undo).
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis } from '../src/redis/connect-redis.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { DecisionEffects, type DecisionEffectsParts } from '../src/review/decision-effects.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

describe('waiting for a decision to be applied', () => {
  const keys = redisKeys('settle-test:');
  let server: TestRedis;
  let redis: Redis;
  let effects: DecisionEffects;
  before(async () => {
    server = await startTestRedis();
    redis = await connectRedis(server.url, 'settle-test');
    // The entries below are taken by another consumer first, so this instance's
    // passes find nothing to apply and never reach the lists, banks or outbox.
    const parts = { redis, keys, consumer: 'this-instance', log: () => undefined } as unknown as DecisionEffectsParts;
    effects = new DecisionEffects(parts);
    await effects.start(60_000);
  });
  after(async () => {
    effects.stop();
    redis.disconnect();
    await server.stop();
  });

  const decisionEntry = async (): Promise<string> => {
    const id = await redis.xadd(keys.reviewDecisions, '*', 'type', 'decision', 'reviewId', 'rv_x', 'listingId', 'L1', 'decision', 'allow');
    assert.ok(id);
    return id;
  };
  const takenByAnother = async (): Promise<void> => {
    await redis.xreadgroup('GROUP', 'effects', 'other-instance', 'COUNT', 10, 'STREAMS', keys.reviewDecisions, '>');
  };

  it('resolves once the instance that read the entry acknowledges it, not before', async () => {
    const id = await decisionEntry();
    await takenByAnother();
    const started = performance.now();
    let settledAt = 0;
    const settling = effects.settle([id], 5000).then(() => (settledAt = performance.now()));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settledAt, 0, 'still waiting while the other instance applies it');
    const ackedAt = performance.now();
    await redis.xack(keys.reviewDecisions, 'effects', id);
    await settling;
    assert.ok(settledAt >= ackedAt, 'resolved after the acknowledgement');
    assert.ok(settledAt - started < 2000, `resolved soon after it (${(settledAt - started).toFixed(0)} ms)`);
  });

  it('gives up after its timeout when the instance holding the entry never acknowledges it', async () => {
    const id = await decisionEntry();
    await takenByAnother();
    const started = performance.now();
    await effects.settle([id], 400);
    assert.ok(performance.now() - started >= 390, 'waited out the timeout');
    const pending = (await redis.xpending(keys.reviewDecisions, 'effects', id, id, 1)) as unknown[];
    assert.equal(pending.length, 1, 'still pending: the sweep of stale entries applies it later');
  });

  it('returns at once when there is nothing to wait for', async () => {
    const started = performance.now();
    await effects.settle([]);
    assert.ok(performance.now() - started < 200);
  });
});
