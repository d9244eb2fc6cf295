// The in-process table of ring nodes flagged by a confirmed seller (issue 7: a
// check asks Redis about its seller's ring only when that seller or one of its
// attributes may be in a ring with a confirmed seller). It must never turn a
// ring member's `ring` reason into silence: not for a first listing sharing a
// phone with a confirmed seller, not on another instance, not for rings
// confirmed before the table existed.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { redisKeys } from '../src/redis/redis-keys.js';
import { admin, startTestGate, type TestGate } from './helpers/test-gate.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

interface CheckAnswer {
  verdict: string;
  reasons: Array<{ code: string; ref?: string }>;
}

let listing = 0;

async function check(gate: TestGate, sellerId: string, seller: Record<string, string> = {}): Promise<CheckAnswer> {
  const response = await gate.post('/v1/check', { listingId: `RF-${++listing}`, sellerId, title: 'plain cotton tote', seller });
  assert.equal(response.status, 200);
  return (await response.json()) as CheckAnswer;
}

const codes = (answer: CheckAnswer): string[] => answer.reasons.map((r) => r.code);

async function metric(gate: TestGate, pattern: RegExp): Promise<number> {
  const text = await (await gate.get('/metrics')).text();
  const found = pattern.exec(text);
  assert.ok(found, `no metric matching ${pattern}`);
  return Number(found[1]);
}

async function waitFor(what: string, test: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > until) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function list(gate: TestGate, sellerId: string, change: 'POST' | 'DELETE' = 'POST'): Promise<void> {
  const response = await fetch(`${gate.url}/v1/admin/lists/sellers`, {
    method: change,
    headers: { 'content-type': 'application/json', ...admin() },
    body: JSON.stringify({ values: [sellerId] }),
  });
  assert.equal(response.status, 200, await response.text());
}

async function ringMembers(gate: TestGate, sellerId: string): Promise<string[]> {
  const response = await gate.get(`/v1/admin/rings/${sellerId}`, admin());
  if (response.status !== 200) return [];
  return ((await response.json()) as { members: Array<{ sellerId: string }> }).members.map((m) => m.sellerId);
}

describe('the table of flagged ring nodes', () => {
  let redis: TestRedis;
  let one: TestGate;
  let two: TestGate;
  const prefix = 'ringflags:';
  before(async () => {
    redis = await startTestRedis();
    one = await startTestGate({ redisUrl: redis.url, prefix });
    two = await startTestGate({ redisUrl: redis.url, prefix });
    await waitFor(
      'both tables are loaded',
      async () => (await metric(one, /^gate_ring_flags_complete (\d+)/m)) === 1 && (await metric(two, /^gate_ring_flags_complete (\d+)/m)) === 1,
    );
  });
  after(async () => {
    await one.stop();
    await two.stop();
    await redis.stop();
  });

  it('answers a seller in no confirmed ring without Redis, and links it after the answer', async () => {
    const asked = await metric(one, /^gate_ring_lookups_total\{result="redis"\} (\d+)/m);
    const answered = await metric(one, /^gate_ring_lookups_total\{result="table"\} (\d+)/m);
    assert.deepEqual(codes(await check(one, 'clean-1', { phoneHash: 'ph-clean' })), []);
    assert.equal(await metric(one, /^gate_ring_lookups_total\{result="redis"\} (\d+)/m), asked, 'Redis was not asked');
    assert.equal(await metric(one, /^gate_ring_lookups_total\{result="table"\} (\d+)/m), answered + 1);
    await check(one, 'clean-2', { phoneHash: 'ph-clean' });
    await waitFor('the two sellers are linked by their phone', async () => (await ringMembers(one, 'clean-2')).join() === 'clean-1,clean-2');
  });

  it("catches a never-seen seller on its first listing when its phone is a confirmed ring's", async () => {
    await check(one, 'conf-a', { phoneHash: 'ph-conf' });
    await list(one, 'conf-a');
    const first = await check(one, 'conf-new', { phoneHash: 'ph-conf' });
    assert.deepEqual(codes(first), ['ring']);
    assert.equal(first.verdict, 'review');
    // The other instance learns the flags from the announcement.
    await waitFor('the other instance flags the ring', async () => codes(await check(two, 'conf-other', { phoneHash: 'ph-conf' })).includes('ring'), 1000);
  });

  it('flags a whole ring on every instance when a link merges it into a confirmed one', async () => {
    // w-1 and w-2 share a device; neither is in a confirmed ring yet.
    await check(one, 'w-1', { deviceId: 'dev-w' });
    await check(one, 'w-2', { deviceId: 'dev-w' });
    await waitFor('w-1 and w-2 are linked', async () => (await ringMembers(one, 'w-1')).join() === 'w-1,w-2');
    await check(one, 'y-1', { phoneHash: 'ph-y' });
    await list(one, 'y-1');
    // w-2 lists with y-1's phone: its ring joins y-1's.
    assert.deepEqual(codes(await check(one, 'w-2', { deviceId: 'dev-w', phoneHash: 'ph-y' })), ['ring']);
    // w-1, which never shared anything with y-1 itself, is flagged on the other instance within a second.
    const started = Date.now();
    await waitFor('w-1 is flagged on the other instance', async () => codes(await check(two, 'w-1')).includes('ring'), 1000);
    assert.ok(Date.now() - started < 1000);
  });

  it('clears the ring when its last confirmed seller is unlisted', async () => {
    await check(one, 'u-1', { phoneHash: 'ph-u' });
    await check(one, 'u-2', { phoneHash: 'ph-u' });
    await list(one, 'u-1');
    await waitFor('u-2 is flagged', async () => codes(await check(two, 'u-2')).includes('ring'));
    await list(one, 'u-1', 'DELETE');
    await waitFor('u-2 is no longer flagged', async () => !codes(await check(two, 'u-2')).includes('ring'));
    assert.deepEqual(codes(await check(one, 'u-2', { phoneHash: 'ph-u' })), []);
  });

  it('finds rings confirmed before the table existed', async () => {
    const oldPrefix = 'ringflags-old:';
    const old = await startTestGate({ redisUrl: redis.url, prefix: oldPrefix });
    try {
      await check(old, 'old-a', { phoneHash: 'ph-old' });
      await check(old, 'old-b', { phoneHash: 'ph-old' });
      await list(old, 'old-a');
    } finally {
      await old.stop();
    }
    // The data as a gate without the table would have left it: no flagged set, no marker.
    const keys = redisKeys(oldPrefix);
    const direct = new Redis(redis.url);
    try {
      assert.equal(await direct.del(`${keys.rings}flagged`, `${keys.rings}flagged:built`), 2);
    } finally {
      direct.disconnect();
    }
    const upgraded = await startTestGate({ redisUrl: redis.url, prefix: oldPrefix });
    try {
      await waitFor('the table is loaded', async () => (await metric(upgraded, /^gate_ring_flags_complete (\d+)/m)) === 1);
      assert.deepEqual(codes(await check(upgraded, 'old-b')), ['ring']);
      assert.deepEqual(codes(await check(upgraded, 'old-new', { phoneHash: 'ph-old' })), ['ring']);
    } finally {
      await upgraded.stop();
    }
  });
});
