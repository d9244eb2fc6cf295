// The in-process table of listed values in front of Redis (issue 7: a check asks
// Redis only about values that may be listed). It must never say "not listed" for
// a listed value: not after a bulk write it was told about, not after Redis
// restarts while messages could be missed.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ListMembership } from '../src/lists/list-membership.js';
import { EmbeddedRedis, freePort } from '../src/redis/embedded-redis.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { admin, startTestGate, type TestGate } from './helpers/test-gate.js';
import { startTestRedis } from './helpers/test-redis.js';

async function metric(gate: TestGate, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${gate.url}/metrics`)).text();
  const found = pattern.exec(text);
  assert.ok(found, `no metric matching ${pattern}`);
  return Number(found[1]);
}

async function waitFor(what: string, test: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > until) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function verdictOf(gate: TestGate, listingId: string, sellerId: string): Promise<{ verdict: string; reasons: Array<{ code: string; ref: string }> }> {
  const response = await gate.post('/v1/check', { listingId, sellerId, title: 'plain cotton tote' });
  assert.equal(response.status, 200);
  return (await response.json()) as { verdict: string; reasons: Array<{ code: string; ref: string }> };
}

describe('the table of listed values', () => {
  it('holds every value added, whatever the number, and says "maybe" rarely for others', () => {
    const table = new ListMembership();
    for (let i = 0; i < 300_000; i++) table.add('sellers', `seller-${i}`);
    assert.equal(table.size, 300_000);
    for (let i = 0; i < 300_000; i++) assert.ok(table.mightContain('sellers', `seller-${i}`), `seller-${i} was lost`);
    let maybes = 0;
    for (let i = 0; i < 300_000; i++) if (table.mightContain('sellers', `other-${i}`)) maybes++;
    assert.ok(maybes <= 3, `${maybes} unlisted values said "maybe"`);
    assert.ok(!table.mightContain('shops', 'seller-1'), 'kinds are apart');
    table.add('sellers', 'seller-1');
    assert.equal(table.size, 300_000, 'adding again counts once');
  });

  it('answers from the table, learns bulk writes, and reloads after Redis restarts', { timeout: 90_000 }, async () => {
    const redis = await startTestRedis();
    const prefix = 'table:';
    const keys = redisKeys(prefix);
    const direct = new Redis(redis.url);
    const seeded = Array.from({ length: 50_000 }, (_, i) => `bulk-${i}`);
    for (let i = 0; i < seeded.length; i += 10_000) await direct.sadd(keys.list('sellers'), ...seeded.slice(i, i + 10_000));
    const gate = await startTestGate({ redisUrl: redis.url, prefix });
    try {
      await waitFor('the table is loaded', async () => (await metric(gate, /^gate_list_table_complete (\d+)/m)) === 1);
      assert.ok((await metric(gate, /^gate_list_table_entries (\d+)/m)) >= 50_000);
      assert.equal((await verdictOf(gate, 'L1', 'bulk-49999')).verdict, 'block', 'a value listed before the gate started');
      assert.equal((await verdictOf(gate, 'L2', 'never-listed')).verdict, 'allow');
      assert.ok((await metric(gate, /^gate_list_cache_lookups_total\{result="table"\} (\d+)/m)) > 0, 'the table answered');

      // Written to Redis behind the gate's back, then announced as a bulk write (as a pack seed is).
      await direct.sadd(keys.list('sellers'), 'written-behind');
      await direct.publish(keys.listChanges, 'seed');
      await waitFor('the bulk write is learnt', async () => (await verdictOf(gate, 'L3', 'written-behind')).verdict === 'block');

      // Through the API, on this instance: seen at once.
      assert.equal((await gate.post('/v1/admin/lists/sellers', { values: ['api-listed'] }, admin())).status, 200);
      assert.equal((await verdictOf(gate, 'L4', 'api-listed')).verdict, 'block');

      // Redis restarts (its AOF keeps the lists) and gains an entry while the gate's
      // subscription is down: the table is reloaded on reconnecting. The entry is
      // written by a server on the same data on another port, which the gate cannot
      // reach, so that it is surely there before the gate reconnects.
      direct.disconnect();
      await redis.redis.kill();
      const elsewhere = new EmbeddedRedis({ dataDir: redis.redis.dataDir, port: await freePort() });
      await elsewhere.start();
      const writer = new Redis(elsewhere.url);
      await writer.sadd(keys.list('sellers'), 'listed-while-away');
      writer.disconnect();
      await elsewhere.stop();
      await redis.redis.start();
      await waitFor(
        'the gate sees the entry added while it was away',
        async () => {
          const answer = await verdictOf(gate, `L5-${Date.now()}`, 'listed-while-away');
          return answer.verdict === 'block';
        },
        20_000,
      );
      await waitFor('the table is complete again', async () => (await metric(gate, /^gate_list_table_complete (\d+)/m)) === 1);
      assert.equal((await verdictOf(gate, 'L6', 'bulk-0')).verdict, 'block');
    } finally {
      direct.disconnect();
      await gate.stop();
      await redis.stop();
    }
  });
});
