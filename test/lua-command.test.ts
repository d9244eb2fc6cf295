// Our Lua scripts run over EVALSHA and load themselves where the server lacks
// them, and they add nothing to the batches ioredis builds for auto-pipelining
// (issue 7: defined commands were copied onto every batch, which under load grew
// the old generation by kilobytes per request).
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { connectRedis } from '../src/redis/connect-redis.js';
import { luaCommand } from '../src/redis/lua-command.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { AuditLog } from '../src/audit/audit-log.js';
import { ReviewQueue } from '../src/review/review-queue.js';
import { SellerRings } from '../src/rings/seller-rings.js';
import { ListingVerdicts } from '../src/review/listing-verdicts.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { commandCalls } from './helpers/command-calls.js';

type RingStatus = (...args: string[]) => Promise<unknown>;

describe('Lua commands', () => {
  let redis: TestRedis;
  let client: Redis;
  before(async () => {
    redis = await startTestRedis();
    client = await connectRedis(redis.url, 'lua-command-test');
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('runs a script by its SHA once the server has it, and loads it again after the server lost its scripts', async () => {
    const keys = redisKeys('lua:');
    const status = luaCommand<RingStatus>(client, 'ring-status', 1);
    const args = [`${keys.rings}parent`, keys.rings, 'seller-1'];
    const first = await status(...args);
    const evals = await commandCalls(client, 'eval');
    assert.ok(evals >= 1, 'the first call loads the script with EVAL');
    const shaCalls = await commandCalls(client, 'evalsha');
    assert.deepEqual(await status(...args), first);
    assert.equal(await commandCalls(client, 'evalsha'), shaCalls + 1, 'the second call goes by SHA');
    assert.equal(await commandCalls(client, 'eval'), evals, 'and sends no script text');

    // The gate's user may not flush scripts (issue 30): the test's admin user does.
    const admin = new Redis(redis.adminUrl);
    await admin.script('FLUSH');
    admin.disconnect();
    assert.deepEqual(await status(...args), first, 'after SCRIPT FLUSH the call still answers');
    assert.equal(await commandCalls(client, 'eval'), evals + 1, 'by loading the script again');
  });

  it('passes a script errors other than a missing script on to the caller', async () => {
    const keys = redisKeys('lua:');
    const append = luaCommand<(...args: string[]) => Promise<unknown>>(client, 'append-audit', 3);
    await client.set(`${keys.prefix}not-a-stream`, 'x');
    await assert.rejects(append(`${keys.prefix}not-a-stream`, `${keys.prefix}head`, `${keys.prefix}count`, '{}', 'genesis', '1', 'hash'), /WRONGTYPE|ERR/);
  });

  it('adds nothing to the batches of auto-pipelining, however many scripts the gate has', async () => {
    const fresh = await connectRedis(redis.url, 'lua-command-fresh');
    try {
      const ownProperties = (connection: Redis): number => Object.keys(connection.pipeline()).length;
      const bare = ownProperties(fresh);
      const keys = redisKeys('lua:');
      new AuditLog(fresh, keys, { key: Buffer.alloc(32) });
      new ReviewQueue(fresh, keys);
      new SellerRings(fresh, keys);
      new ListingVerdicts(fresh, keys);
      assert.equal(ownProperties(fresh), bare);
    } finally {
      fresh.disconnect();
    }
  });
});
