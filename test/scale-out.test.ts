// Two gate instances on one Redis are one deployment: a list change or a pack
// made live through one is in force on the other within a second.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { admin, startTestGate, type TestGate } from './helpers/test-gate.js';

async function verdictOf(gate: TestGate, listing: Record<string, unknown>): Promise<{ verdict: string; policyVersion: string }> {
  return (await (await gate.post('/v1/check', listing)).json()) as { verdict: string; policyVersion: string };
}

async function until(condition: () => Promise<boolean>, limitMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    if (await condition()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Infinity;
}

describe('two instances on one Redis', () => {
  let redis: TestRedis;
  let a: TestGate;
  let b: TestGate;
  before(async () => {
    redis = await startTestRedis();
    a = await startTestGate({ redisUrl: redis.url, prefix: 'scaleout:' });
    b = await startTestGate({ redisUrl: redis.url, prefix: 'scaleout:' });
  });
  after(async () => {
    await a.stop();
    await b.stop();
    await redis.stop();
  });

  it('blocks on B a seller listed through A within 1 s, although B had cached the seller as clean', async () => {
    const listing = { listingId: 'S1', sellerId: 's-ring-7', title: 'Plain cotton t-shirt' };
    assert.equal((await verdictOf(b, listing)).verdict, 'allow'); // B now caches "not listed"
    const response = await a.post('/v1/admin/lists/sellers', { values: ['s-ring-7'] }, admin());
    assert.equal(response.status, 200);
    const took = await until(async () => (await verdictOf(b, listing)).verdict === 'block', 1000);
    assert.ok(took < 1000, 'B did not see the change within 1 s');
    const unlisted = await fetch(`${a.url}/v1/admin/lists/sellers`, { method: 'DELETE', headers: { ...admin(), 'content-type': 'application/json' }, body: JSON.stringify({ values: ['s-ring-7'] }) });
    assert.equal(unlisted.status, 200);
    assert.ok((await until(async () => (await verdictOf(b, listing)).verdict === 'allow', 1000)) < 1000, 'B did not see the removal within 1 s');
  });

  it('makes a pack uploaded to A live on B', async () => {
    const pack = JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as Record<string, unknown>;
    pack.packVersion = 'shared-2';
    const put = await fetch(`${a.url}/v1/admin/pack`, { method: 'PUT', headers: { ...admin(), 'content-type': 'application/json' }, body: JSON.stringify(pack) });
    assert.equal(put.status, 200);
    const listing = { listingId: 'S2', sellerId: 's', title: 'x' };
    assert.ok((await until(async () => (await verdictOf(b, listing)).policyVersion === 'shared-2', 3000)) < 3000);
  });
});
