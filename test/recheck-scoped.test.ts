// Re-check jobs scoped to the change that started them (issue 25 point 3,
// docs/rechecks.md "Scoped to the change"), on one gate against a real Redis:
// a seller listed with `recheck: true` re-checks exactly that seller's listings
// and its ring's, an image banked with it exactly the listings with an image
// within distance 8; every other listing is counted out of scope and never
// emitted. A text bank's or a pack's job matches every listing and reports
// changes only; a staged rollout refuses `recheck`.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { after, before, describe, it } from 'node:test';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { ADMIN_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';
import { callGate, eventually } from './helpers/gate-calls.js';
import { addEntries } from './helpers/intake-streams.js';
import { adminCall, jobIn, jobVerdicts } from './helpers/recheck-jobs.js';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { formatPhash, parsePhash } from '../src/fingerprint/phash.js';
import type { PolicyPack } from '../src/pack/policy-pack.js';
import { recheckKeys } from '../src/redis/redis-keys.js';

interface Listing {
  listingId: string;
  sellerId: string;
  title: string;
  images?: Array<{ phash: string }>;
  seller?: { phoneHash?: string; deviceId?: string };
}

/** `hex` with its lowest `bits` bits flipped: at Hamming distance `bits` from it. */
function flipped(hex: string, bits: number): string {
  const { hi, lo } = parsePhash(hex);
  const mask = bits >= 32 ? 0xffffffff : (2 ** bits - 1) >>> 0;
  return formatPhash({ hi: bits > 32 ? (hi ^ ((2 ** (bits - 32) - 1) >>> 0)) >>> 0 : hi, lo: (lo ^ mask) >>> 0 });
}

/** The listings interleaved (each seller's spread over the stream), deterministically. */
function interleaved<T>(items: readonly T[]): T[] {
  return [...items]
    .map((item, i) => ({ item, key: (i * 7919) % items.length }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
}

describe('re-check jobs scoped to a change', () => {
  let redis: TestRedis;
  let gate: TestGate;
  let admin: Redis;
  const prefix = `t${randomUUID().slice(0, 8)}:`;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    adminCall(gate.url, ADMIN_TOKEN, method, path, body, headers);

  /** Checks each listing through POST /v1/check (linking its seller's ring) and waits for its verdict to be recorded. */
  async function checkAll(items: readonly Listing[]): Promise<void> {
    for (const listing of items) assert.equal((await gate.post('/v1/check', listing)).status, 200);
    for (const listing of items) {
      await eventually(`the verdict record of ${listing.listingId}`, async () =>
        (await callGate(gate, 'GET', `/v1/listings/${listing.listingId}/verdict`, REVIEWER_TOKEN)).status === 200 ? true : undefined,
      );
    }
  }

  async function streamOf(name: string, items: readonly Listing[]): Promise<string> {
    const stream = `${prefix}{src}:${name}`;
    await addEntries(
      admin,
      stream,
      items.map((l) => ({ listing: JSON.stringify(l) })),
    );
    return stream;
  }

  before(async () => {
    redis = await startTestRedis();
    admin = new Redis(redis.adminUrl);
    gate = await startTestGate({
      redisUrl: redis.url,
      prefix,
      env: {
        GATE_RECHECK_THREADS: '1',
        GATE_RECHECK_POLL_MS: '100',
        GATE_RECHECK_LEASE_MS: '2000',
        GATE_RECHECK_BATCH: '40',
        GATE_WEBHOOK_URL: 'http://127.0.0.1:9/nobody-listens',
        GATE_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
      },
    });
  });
  after(async () => {
    await gate.stop();
    admin.disconnect();
    await redis.stop();
  });

  it("a seller listed with recheck: true re-checks exactly its listings and its ring's; the rest are counted out of scope, never emitted", async () => {
    // 40 sellers with 4 listings each. s-K-0 is listed; s-K-1 and s-K-2 share its phone, s-K-3 shares a
    // device with s-K-2 (a ring of four, linked as their listings are checked); s-K-4 shares a phone with
    // s-K-5 only (another ring); the others have a phone of their own.
    const phoneOf = (s: number): string => (s <= 2 ? 'ph-K-ring' : s === 4 || s === 5 ? 'ph-K-other' : `ph-K-${s}`);
    const items: Listing[] = [];
    for (let s = 0; s < 40; s++) {
      for (let n = 0; n < 4; n++) {
        items.push({
          listingId: `K-${s}-${n}`,
          sellerId: `s-K-${s}`,
          title: `Plain ceramic mug no. ${s * 4 + n}`,
          seller: { phoneHash: phoneOf(s), ...(s === 2 || s === 3 ? { deviceId: 'dev-K-2-3' } : {}) },
        });
      }
    }
    await checkAll(items);
    const stream = await streamOf('sellers', interleaved(items));
    const grown = await call('POST', '/v1/admin/lists/sellers', { values: ['s-K-0'], recheck: true, source: { stream }, onlyChanged: false });
    assert.equal(grown.status, 200, JSON.stringify(grown.body));
    const id = grown.body.recheckId as string;
    const job = await jobIn(gate.url, ADMIN_TOKEN, id, 'done');
    const inRing = (l: Listing): boolean => ['s-K-0', 's-K-1', 's-K-2', 's-K-3'].includes(l.sellerId);
    const expected = items
      .filter(inRing)
      .map((l) => l.listingId)
      .sort();
    const emitted = (await jobVerdicts(admin, prefix, id)).map((v) => String(v.fields.listingId));
    assert.deepEqual([...emitted].sort(), expected, "exactly the listed seller's listings and its ring's are emitted (every verdict: onlyChanged false)");
    assert.equal(job.done, items.length, 'every entry is read');
    assert.equal((job as unknown as { outOfScope: number }).outOfScope, items.length - expected.length, 'the others are counted out of scope');
    assert.deepEqual((job as unknown as { scope: unknown }).scope, { kind: 'sellers', sellers: 4 }, 'the seller and the three others of its ring');
    assert.deepEqual(job.changed, { total: 16, byKind: { 'allow->block': 4, 'allow->review': 12 } }, 'the listed seller blocked, its ring to review');
    const metrics = await (await gate.get('/metrics')).text();
    assert.match(metrics, new RegExp(`^gate_recheck_out_of_scope_total ${items.length - expected.length}$`, 'm'));
    const keys = recheckKeys(prefix);
    const scopeTtl = await admin.ttl(keys.scope(id));
    assert.ok(scopeTtl > 0, 'the scope expires');
    assert.ok(Math.abs(scopeTtl - (await admin.ttl(keys.job(id)))) <= 2, 'with the job');
  });

  it('an image banked with recheck: true re-checks exactly the listings with an image within distance 8 of it', async () => {
    const banked = 'c3a5f00f12345678';
    const items: Listing[] = Array.from({ length: 72 }, (_, i) => {
      const base = { listingId: `I-${i}`, sellerId: `s-I-${i}`, title: `Plain linen shirt no. ${i}` };
      if (i % 3 === 0) return { ...base, images: [{ phash: flipped('0123456789abcdef', 1 + (i % 5)) }, { phash: flipped(banked, (i / 3) % 13) }] };
      if (i % 3 === 1) return { ...base, images: [{ phash: flipped(banked, 20 + (i % 30)) }] };
      return base;
    });
    const near = items
      .filter((_l, i) => i % 3 === 0 && (i / 3) % 13 <= 8)
      .map((l) => l.listingId)
      .sort();
    assert.ok(near.length > 10 && near.length < items.length / 2);
    await checkAll(items);
    const stream = await streamOf('images', interleaved(items));
    const banking = await call('POST', '/v1/admin/fingerprints/images', {
      entries: [{ ref: 'scoped-bag-1', phash: banked }],
      recheck: true,
      source: { stream },
      onlyChanged: false,
    });
    assert.equal(banking.status, 200, JSON.stringify(banking.body));
    const job = await jobIn(gate.url, ADMIN_TOKEN, banking.body.recheckId as string, 'done');
    const emitted = (await jobVerdicts(admin, prefix, job.id)).map((v) => String(v.fields.listingId));
    assert.deepEqual([...emitted].sort(), near, 'exactly the listings within distance 8');
    assert.equal((job as unknown as { outOfScope: number }).outOfScope, items.length - near.length);
    assert.deepEqual(job.changed, { total: near.length, byKind: { 'allow->block': near.length } }, 'each of them now matches the banked image');
    assert.deepEqual((job as unknown as { scope: unknown }).scope, { kind: 'images', bank: 'images', phashes: 1 });
  });

  it('a text banked with recheck: true matches every listing and reports changes only; onlyChanged: false and a staged rollout are refused, naming the field', async () => {
    const text = 'Genuine replica designer handbag with the original serial tag and dust bag included';
    const items: Listing[] = Array.from({ length: 30 }, (_, i) => ({
      listingId: `T-${i}`,
      sellerId: `s-T-${i}`,
      title: i % 10 === 0 ? text : `Plain wool scarf no. ${i}`,
    }));
    await checkAll(items);
    const stream = await streamOf('texts', items);
    const refused = await call('POST', '/v1/admin/fingerprints/texts', {
      entries: [{ ref: 'scoped-text-1', text }],
      recheck: true,
      source: { stream },
      onlyChanged: false,
    });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.equal(refused.body.error.field, 'onlyChanged');
    const banking = await call('POST', '/v1/admin/fingerprints/texts', { entries: [{ ref: 'scoped-text-1', text }], recheck: true, source: { stream } });
    assert.equal(banking.status, 200, JSON.stringify(banking.body));
    const job = await jobIn(gate.url, ADMIN_TOKEN, banking.body.recheckId as string, 'done');
    assert.equal((job as unknown as { outOfScope: number }).outOfScope, 0, 'every listing may be near an added text');
    assert.equal(job.onlyChanged, true);
    const emitted = (await jobVerdicts(admin, prefix, job.id)).map((v) => String(v.fields.listingId));
    assert.deepEqual(emitted, ['T-0', 'T-10', 'T-20'], 'only the changed verdicts');

    const pack = await (await callGate(gate, 'GET', '/v1/admin/pack', ADMIN_TOKEN)).body;
    assert.ok(pack.packVersion);
    const staged = await fetch(`${gate.url}/v1/admin/pack?rolloutPercent=10&recheck=true&source=${encodeURIComponent(stream)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const answer = (await staged.json()) as { error: { code: string; field: string } };
    assert.equal(staged.status, 400, JSON.stringify(answer));
    assert.equal(answer.error.field, 'recheck');
    assert.equal((await (await callGate(gate, 'GET', '/v1/admin/pack/versions', ADMIN_TOKEN)).body).rollout, null, 'no candidate was staged');
  });

  it('a pack made live with recheck=true keeps what changed against the pack it replaced and reports changes only', async () => {
    const items: Listing[] = Array.from({ length: 20 }, (_, i) => ({
      listingId: `P-${i}`,
      sellerId: `s-P-${i}`,
      title: i % 5 === 0 ? `LV 高仿 手提包 ${i}` : `Plain felt hat no. ${i}`,
    }));
    await checkAll(items);
    const stream = await streamOf('pack', items);
    const before = JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as PolicyPack;
    const next: PolicyPack = {
      ...before,
      packVersion: `${before.packVersion}-scoped`,
      thresholds: { ...before.thresholds, review: before.thresholds.review + 1 },
    };
    const put = (query: string) =>
      fetch(`${gate.url}/v1/admin/pack?${query}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(next),
      });
    const refused = await put(`recheck=true&onlyChanged=false&source=${encodeURIComponent(stream)}`);
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: { field: string } }).error.field, 'onlyChanged');
    assert.equal((await callGate(gate, 'GET', '/v1/admin/pack', ADMIN_TOKEN)).body.packVersion, before.packVersion, 'the refused pack is not live');
    const made = await put(`recheck=true&source=${encodeURIComponent(stream)}`);
    const answer = (await made.json()) as { packVersion: string; recheckId: string };
    assert.equal(made.status, 200, JSON.stringify(answer));
    assert.equal(answer.packVersion, next.packVersion);
    const job = await jobIn(gate.url, ADMIN_TOKEN, answer.recheckId, 'done');
    assert.deepEqual((job as unknown as { scope: unknown }).scope, {
      kind: 'pack',
      from: before.packVersion,
      to: next.packVersion,
      added: 0,
      removed: 0,
      changed: 0,
      settings: ['thresholds.review'],
    });
    assert.equal((job as unknown as { outOfScope: number }).outOfScope, 0, 'any listing may meet a changed setting');
    assert.equal(job.done, items.length);
    assert.equal(job.onlyChanged, true);
    assert.ok(
      (await jobVerdicts(admin, prefix, job.id)).every((v) => String(v.fields.changed) === '1'),
      'only changed verdicts are emitted',
    );
  });
});
