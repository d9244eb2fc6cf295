// A private Redis for one describe block: started before its tests, stopped after
// them, with the gate's connection (`client`) and an operator's that may run any
// command (`operator`: TTL checks, key scans).
import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from './test-redis.js';

export interface RedisSuite {
  redis: TestRedis;
  client: Redis;
  operator: Redis;
}

/** Call inside a describe block; the fields are set once its `before` has run. */
export function redisSuite(): RedisSuite {
  const suite = {} as RedisSuite;
  before(async () => {
    suite.redis = await startTestRedis();
    suite.client = new Redis(suite.redis.url);
    suite.operator = new Redis(suite.redis.adminUrl);
  });
  after(async () => {
    suite.client?.disconnect();
    suite.operator?.disconnect();
    await suite.redis?.stop();
  });
  return suite;
}
