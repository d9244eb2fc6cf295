// A private Redis and a gate on it for the tests of one file (or describe block):
// started before them, stopped after them.
import { after, before } from 'node:test';
import { startTestRedis, type TestRedis } from './test-redis.js';
import { startTestGate, type TestGate, type TestGateOptions } from './test-gate.js';

export interface GateFixture {
  readonly gate: TestGate;
  readonly redis: TestRedis;
}

export function gateFixture(options: Omit<TestGateOptions, 'redisUrl'> = {}): GateFixture {
  let redis: TestRedis | undefined;
  let gate: TestGate | undefined;
  before(async () => {
    redis = await startTestRedis();
    gate = await startTestGate({ ...options, redisUrl: redis.url });
  });
  after(async () => {
    await gate?.stop();
    await redis?.stop();
  });
  return {
    get gate(): TestGate {
      if (!gate) throw new Error('the gate fixture is used before its before() hook ran');
      return gate;
    },
    get redis(): TestRedis {
      if (!redis) throw new Error('the gate fixture is used before its before() hook ran');
      return redis;
    },
  };
}
