// Issue 8: the gate on a real three-master Redis Cluster. Two instances, each
// seeded with a different master, are one deployment: list changes, banked
// fingerprints, review items and decisions, registered brands and rings work
// across the cluster's slots.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { after, before, describe, it } from 'node:test';
import { startTestRedisCluster, type TestRedisCluster } from './helpers/test-redis-cluster.js';
import { admin, ADMIN_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';

const HOLDER = 'acme-cluster-token-0123456789';

async function verdict(gate: TestGate, listing: Record<string, unknown>): Promise<{ verdict: string; reviewId?: string; reasons: Array<{ code: string }> }> {
  const response = await gate.post('/v1/check', listing);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as { verdict: string; reviewId?: string; reasons: Array<{ code: string }> };
}

async function within(ms: number, probe: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (await probe()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 10));
  }
  return Infinity;
}

describe('two instances on a three-master Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let a: TestGate;
  let b: TestGate;
  before(async () => {
    cluster = await startTestRedisCluster();
    const env = { GATE_RIGHTS_HOLDER_TOKENS: `acme:${HOLDER}` };
    a = await startTestGate({ redisUrl: cluster.urls[0] ?? '', prefix: 'cl:', env });
    b = await startTestGate({ redisUrl: cluster.urls[2] ?? '', prefix: 'cl:', env });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await cluster?.stop();
  });

  it('spreads the gate keys over more than one master', () => {
    const owners = cluster.ports.map((port) => Number(spawnSync('redis-cli', ['-p', String(port), 'dbsize'], { encoding: 'utf8' }).stdout.trim()));
    assert.ok(owners.filter((n) => n > 0).length >= 2, `keys per master: ${owners.join(', ')}`);
  });

  it('shows a list change made through A on B within 1 s', async () => {
    const listing = { listingId: 'C1', sellerId: 's-cluster-1', title: 'Plain cotton t-shirt' };
    assert.equal((await verdict(b, listing)).verdict, 'allow');
    assert.equal((await a.post('/v1/admin/lists/sellers', { values: ['s-cluster-1'] }, admin())).status, 200);
    assert.ok((await within(1000, async () => (await verdict(b, listing)).verdict === 'block')) < 1000, 'B did not see the change within 1 s');
  });

  it('matches on B an image banked through A', async () => {
    const listing = { listingId: 'C2', sellerId: 's-c2', title: 'phone case', images: [{ phash: 'ffeeddccbbaa9988' }] };
    const add = await fetch(`${a.url}/v1/admin/fingerprints/images`, {
      method: 'POST',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify({ entries: [{ ref: 'cl-img', phash: 'ffeeddccbbaa9989' }] }),
    });
    assert.equal(add.status, 200);
    assert.ok((await within(1000, async () => (await verdict(b, listing)).verdict === 'block')) < 1000);
  });

  it('queues a review through A, lets a reviewer decide it through B, and reports the verdict on A', async () => {
    const queued = await verdict(a, { listingId: 'C3', sellerId: 's-c3', title: 'super copy tote' });
    assert.equal(queued.verdict, 'review');
    const claim = await fetch(`${b.url}/v1/review/next?count=10`, { headers: { authorization: `Bearer ${REVIEWER_TOKEN}` } });
    const items = ((await claim.json()) as { items: Array<{ reviewId: string }> }).items;
    assert.ok(items.some((i) => i.reviewId === queued.reviewId));
    const decided = await fetch(`${b.url}/v1/review/${queued.reviewId}/decision`, {
      method: 'POST',
      headers: { authorization: `Bearer ${REVIEWER_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'block', confirm: { seller: true } }),
    });
    assert.equal(decided.status, 200, await decided.text());
    const final = async (): Promise<string> =>
      ((await (await fetch(`${a.url}/v1/listings/C3/verdict`, { headers: admin() })).json()) as { verdict: string }).verdict;
    assert.ok((await within(3000, async () => (await final()) === 'block')) < 3000);
  });

  it('enforces a verified registered brand on B and links rings across slots', async () => {
    const call = (gate: TestGate, path: string, method: string, token: string, body: unknown): Promise<Response> =>
      fetch(`${gate.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await call(a, '/v1/rights-holder/brands/orvello', 'PUT', HOLDER, { names: ['Orvello'] })).status, 200);
    assert.equal(
      (
        await call(a, '/v1/rights-holder/brands/orvello/claim', 'PUT', HOLDER, {
          registrationNumber: 'R1',
          jurisdiction: 'EU',
          classes: [18],
          evidence: ['docs://r1'],
          validFrom: '2020-01-01',
          validUntil: '2099-01-01',
        })
      ).status,
      200,
    );
    assert.equal((await call(a, '/v1/admin/claims/acme/orvello', 'POST', ADMIN_TOKEN, { decision: 'verify' })).status, 200);
    const listing = { listingId: 'C4', sellerId: 's-c4', title: 'Orvello replica bag' };
    assert.ok((await within(5000, async () => (await verdict(b, listing)).verdict === 'block')) < 5000);

    await verdict(a, { listingId: 'C5', sellerId: 'ring-x', title: 'bag', seller: { phoneHash: 'cl-phone' } });
    await verdict(b, { listingId: 'C6', sellerId: 'ring-y', title: 'bag', seller: { phoneHash: 'cl-phone' } });
    assert.equal((await a.post('/v1/admin/lists/sellers', { values: ['ring-x'] }, admin())).status, 200);
    assert.ok(
      (await within(2000, async () => (await verdict(b, { listingId: 'C7', sellerId: 'ring-y', title: 'bag' })).reasons.some((r) => r.code === 'ring'))) < 2000,
    );
    const ring = (await (await fetch(`${a.url}/v1/admin/rings/ring-y`, { headers: admin() })).json()) as { members: Array<{ sellerId: string }> };
    assert.deepEqual(
      ring.members.map((m) => m.sellerId),
      ['ring-x', 'ring-y'],
    );
  });

  it('makes a pack uploaded through B live on A', async () => {
    const pack = (await (await fetch(`${a.url}/v1/admin/pack`, { headers: admin() })).json()) as { packVersion: string };
    assert.ok(pack.packVersion);
    const demo = JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as Record<string, unknown>;
    const put = await fetch(`${b.url}/v1/admin/pack`, {
      method: 'PUT',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify({ ...demo, packVersion: 'cluster-2' }),
    });
    assert.equal(put.status, 200, await put.text());
    assert.ok(
      (await within(
        5000,
        async () =>
          ((await (await a.post('/v1/check', { listingId: 'C8', sellerId: 's', title: 'x' })).json()) as { policyVersion: string }).policyVersion ===
          'cluster-2',
      )) < 5000,
    );
  });
});
