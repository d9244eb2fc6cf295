// Issue 23: streams trimmed behind what every group acknowledged, never a pending entry.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis } from '../src/redis/connect-redis.js';
import { trimBehindGroups } from '../src/redis/trim-behind-groups.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

describe('trimming a stream behind its groups', () => {
  let redis: TestRedis;
  let client: Redis;
  before(async () => {
    redis = await startTestRedis();
    client = await connectRedis(redis.url, 'trim-test');
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('removes what every group acknowledged and keeps the oldest pending entry and all after it', async () => {
    const stream = 'trim:{t}:s1';
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await client.xadd(stream, '*', 'n', String(i))) as string);
    await client.xgroup('CREATE', stream, 'fast', '0');
    await client.xgroup('CREATE', stream, 'slow', '0');
    await client.xreadgroup('GROUP', 'fast', 'c', 'COUNT', 10, 'STREAMS', stream, '>');
    await client.xack(stream, 'fast', ...ids);
    await client.xreadgroup('GROUP', 'slow', 'c', 'COUNT', 6, 'STREAMS', stream, '>');
    await client.xack(stream, 'slow', ...ids.slice(0, 3), ids[4] as string);
    // slow holds ids[3] and ids[5] unacknowledged, and was never delivered ids[6..9].
    assert.equal(await trimBehindGroups(client, stream), 3);
    const left = (await client.xrange(stream, '-', '+')).map(([id]) => id);
    assert.deepEqual(left, ids.slice(3));
  });

  it('keeps the recent entries it is asked to keep, and trims nothing of a stream without groups', async () => {
    const stream = 'trim:{t}:s2';
    for (let i = 0; i < 5; i++) await client.xadd(stream, '*', 'n', String(i));
    assert.equal(await trimBehindGroups(client, stream), 0);
    await client.xgroup('CREATE', stream, 'g', '0');
    await client.xreadgroup('GROUP', 'g', 'c', 'COUNT', 5, 'STREAMS', stream, '>');
    const all = (await client.xrange(stream, '-', '+')).map(([id]) => id);
    await client.xack(stream, 'g', ...all);
    assert.equal(await trimBehindGroups(client, stream, 3_600_000), 0, 'all within the last hour');
    assert.equal(await trimBehindGroups(client, stream), 4, 'the last delivered entry stays');
  });
});
