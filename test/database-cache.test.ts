// The compiled-database cache stores a database as chunks and a manifest (a
// single SET of a scale pack's database held Redis for up to 0.45 s), and reads
// back only a complete, unchanged entry.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { packBuildRedis, redisDatabaseCache, type DatabaseCache } from '../src/pack/database-cache.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { messageLog } from '../src/observability/gate-logger.js';

describe('compiled-database cache', () => {
  let server: TestRedis;
  let redis: Redis;
  let cache: DatabaseCache;
  const logged: string[] = [];
  before(async () => {
    server = await startTestRedis();
    const config = { redisUrl: server.url, prefix: 'dbcache-test:' };
    redis = await packBuildRedis(config);
    cache = redisDatabaseCache(
      redis,
      config,
      messageLog((message) => logged.push(message)),
    );
  });
  after(async () => {
    await cache.close();
    await server.stop();
  });

  it('gives back a multi-chunk database byte for byte, in chunks of at most 1 MiB', async () => {
    const bytes = new Uint8Array(randomBytes(2 * 1024 * 1024 + 12_345));
    await cache.put('k1', bytes);
    assert.deepEqual(await cache.get('k1'), bytes);
    const chunk = (i: number): string => `dbcache-test:{pack}:db:k1:${i}`;
    // STRLEN and TTL are not the gate's commands: the test's admin user looks.
    const admin = new Redis(server.adminUrl);
    assert.deepEqual(await Promise.all([0, 1, 2, 3].map((i) => admin.strlen(chunk(i)))), [1024 * 1024, 1024 * 1024, 12_345, 0]);
    assert.ok((await admin.ttl('dbcache-test:{pack}:db:k1')) > 0, 'the manifest expires');
    assert.ok((await admin.ttl('dbcache-test:{pack}:db:k1:2')) > 0, 'the chunks expire');
    admin.disconnect();
  });

  it('answers a miss for an unknown key, a missing chunk, a short chunk and an entry from before chunking', async () => {
    assert.equal(await cache.get('never-put'), undefined);
    const bytes = new Uint8Array(randomBytes(1024 * 1024 + 10));
    await cache.put('k2', bytes);
    await redis.del('dbcache-test:{pack}:db:k2:1');
    assert.equal(await cache.get('k2'), undefined);
    await cache.put('k3', bytes);
    await redis.set('dbcache-test:{pack}:db:k3:1', 'x');
    assert.equal(await cache.get('k3'), undefined);
    await redis.set('dbcache-test:{pack}:db:k4', Buffer.from(randomBytes(64)));
    assert.equal(await cache.get('k4'), undefined);
    assert.deepEqual(logged, []);
  });
});
