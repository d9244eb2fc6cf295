// Two gate instances on one Redis are one deployment: a list change or a pack
// made live through one is in force on the other within a second.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { admin, ADMIN_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';

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

const HOLDER_TOKEN = 'acme-scaleout-token-0123456789';

describe('two instances on one Redis', () => {
  let redis: TestRedis;
  let a: TestGate;
  let b: TestGate;
  before(async () => {
    redis = await startTestRedis();
    const env = { GATE_RIGHTS_HOLDER_TOKENS: `acme:${HOLDER_TOKEN}` };
    a = await startTestGate({ redisUrl: redis.url, prefix: 'scaleout:', env });
    b = await startTestGate({ redisUrl: redis.url, prefix: 'scaleout:', env });
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
    const unlisted = await fetch(`${a.url}/v1/admin/lists/sellers`, {
      method: 'DELETE',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify({ values: ['s-ring-7'] }),
    });
    assert.equal(unlisted.status, 200);
    assert.ok((await until(async () => (await verdictOf(b, listing)).verdict === 'allow', 1000)) < 1000, 'B did not see the removal within 1 s');
  });

  it('matches on B an image and a text banked through A within 1 s, and stops after removal', async () => {
    const send = (path: string, method: string, body: unknown): Promise<Response> =>
      fetch(`${a.url}${path}`, { method, headers: { ...admin(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // 0x...ff banked; the listing's hash differs in 3 bits.
    const listing = { listingId: 'F1', sellerId: 's-f', title: 'new phone case', images: [{ phash: '0123456789abcd07' }] };
    assert.equal((await verdictOf(b, listing)).verdict, 'allow');
    assert.equal((await send('/v1/admin/fingerprints/images', 'POST', { entries: [{ ref: 'case-photo-1', phash: '0123456789abcdff' }] })).status, 200);
    assert.ok((await until(async () => (await verdictOf(b, listing)).verdict === 'block', 1000)) < 1000, 'image not matched on B within 1 s');
    const blocked = (await (await b.post('/v1/check', listing)).json()) as { reasons: Array<{ code: string; ref: string; field: string }> };
    assert.deepEqual(
      blocked.reasons.find((r) => r.code === 'image_fingerprint'),
      { code: 'image_fingerprint', ref: 'case-photo-1', field: 'images[0].phash' },
    );
    assert.equal((await send('/v1/admin/fingerprints/images', 'DELETE', { refs: ['case-photo-1'] })).status, 200);
    assert.ok((await until(async () => (await verdictOf(b, listing)).verdict === 'allow', 1000)) < 1000, 'removal not seen on B within 1 s');

    const banned = 'Top quality leather, same factory as the mall boutique, full set with box dust bag and receipt, message me for wholesale price';
    const copy = {
      listingId: 'F2',
      sellerId: 's-f',
      title: 'women bag',
      description: 'same factory as the mall boutique! full set with box, dust bag and receipt. Top quality leather; message me for wholesale price',
    };
    assert.equal((await send('/v1/admin/fingerprints/texts', 'POST', { entries: [{ ref: 'ring-text-9', text: banned }] })).status, 200);
    assert.ok((await until(async () => (await verdictOf(b, copy)).verdict === 'block', 1000)) < 1000, 'text not matched on B within 1 s');
  });

  it('matches on an instance started later what was banked before it started', async () => {
    assert.equal(
      (
        await fetch(`${a.url}/v1/admin/fingerprints/images`, {
          method: 'POST',
          headers: { ...admin(), 'content-type': 'application/json' },
          body: JSON.stringify({ entries: [{ ref: 'before-c', phash: '89abcdef01234567' }] }),
        })
      ).status,
      200,
    );
    const c = await startTestGate({ redisUrl: redis.url, prefix: 'scaleout:' });
    try {
      const listing = { listingId: 'F-later', sellerId: 's-later', title: 'new phone case', images: [{ phash: '89abcdef01234567' }] };
      assert.ok(
        (await until(async () => (await verdictOf(c, listing)).verdict === 'block', 5000)) < 5000,
        'the banked image is not matched by the instance started after it',
      );
    } finally {
      await c.stop();
    }
  });

  it('never matches what a negative bank protects', async () => {
    const send = (path: string, body: unknown): Promise<Response> =>
      fetch(`${a.url}${path}`, { method: 'POST', headers: { ...admin(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const listing = { listingId: 'N1', sellerId: 's-brand-shop', title: 'official bag', images: [{ phash: 'ffff0000ffff0001' }] };
    await send('/v1/admin/fingerprints/images', { entries: [{ ref: 'fake-photo', phash: 'ffff0000ffff0000' }] });
    assert.ok((await until(async () => (await verdictOf(b, listing)).verdict === 'block', 1000)) < 1000);
    // The brand's own product photo, banked as "never match".
    await send('/v1/admin/fingerprints/negative-images', { entries: [{ ref: 'brand-own-photo', phash: 'ffff0000ffff0003' }] });
    assert.ok((await until(async () => (await verdictOf(b, listing)).verdict === 'allow', 1000)) < 1000);
  });

  it('refuses bad bank entries naming the field', async () => {
    const post = async (kind: string, body: unknown): Promise<{ status: number; field?: string }> => {
      const response = await fetch(`${a.url}/v1/admin/fingerprints/${kind}`, {
        method: 'POST',
        headers: { ...admin(), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, field: ((await response.json()) as { error?: { field?: string } }).error?.field };
    };
    assert.deepEqual(await post('images', { entries: [{ ref: 'x', phash: 'nothex' }] }), { status: 400, field: 'entries[0].phash' });
    assert.deepEqual(await post('texts', { entries: [{ ref: 'x', text: 'hi' }] }), { status: 400, field: 'entries[0].text' });
    assert.equal((await post('sounds', { entries: [] })).status, 404);
  });

  it('makes a pack uploaded to A live on B', async () => {
    const pack = JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as Record<string, unknown>;
    pack.packVersion = 'shared-2';
    const put = await fetch(`${a.url}/v1/admin/pack`, {
      method: 'PUT',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify(pack),
    });
    assert.equal(put.status, 200);
    const listing = { listingId: 'S2', sellerId: 's', title: 'x' };
    assert.ok((await until(async () => (await verdictOf(b, listing)).policyVersion === 'shared-2', 3000)) < 3000);
    // The same patterns: B took the database A compiled from the shared cache.
    const live = (await (await fetch(`${b.url}/v1/admin/pack`, { headers: admin() })).json()) as { packVersion: string; fromCache: boolean };
    assert.deepEqual(live, { ...live, packVersion: 'shared-2', fromCache: true });
  });

  it('takes a pack whose banked image changed under the same ref on both instances', async () => {
    const base = JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as { fingerprints?: { images: unknown[]; texts: unknown[] } } & Record<string, unknown>;
    const withImage = (version: string, phash: string) => ({
      ...base,
      packVersion: version,
      fingerprints: { texts: base.fingerprints?.texts ?? [], images: [{ ref: 'pack-photo', phash }] },
    });
    const put = (pack: unknown) =>
      fetch(`${a.url}/v1/admin/pack`, { method: 'PUT', headers: { ...admin(), 'content-type': 'application/json' }, body: JSON.stringify(pack) });
    const first = { listingId: 'PI1', sellerId: 's-pi', title: 'phone case', images: [{ phash: '00000000000000ff' }] };
    const second = { listingId: 'PI2', sellerId: 's-pi', title: 'phone case', images: [{ phash: 'ff00000000000000' }] };
    assert.equal((await put(withImage('image-1', '00000000000000ff'))).status, 200);
    for (const gate of [a, b])
      assert.ok((await until(async () => (await verdictOf(gate, first)).verdict === 'block', 3000)) < 3000, 'the banked image was not matched');
    // The same ref, another image: seeding must see the change, not only new refs.
    assert.equal((await put(withImage('image-2', 'ff00000000000000'))).status, 200);
    for (const gate of [a, b]) {
      assert.ok((await until(async () => (await verdictOf(gate, second)).verdict === 'block', 3000)) < 3000, 'the changed image was not matched');
      assert.equal((await verdictOf(gate, first)).verdict, 'allow', 'the old image still matched');
    }
  });

  it('enforces on B a brand a rights holder registers through A once verified, within seconds', async () => {
    const call = (path: string, method: string, token: string, body: unknown): Promise<Response> =>
      fetch(`${a.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const listing = { listingId: 'R1', sellerId: 's-r', title: 'Vormanti replica wallet' };
    assert.equal((await verdictOf(b, listing)).verdict, 'review');
    assert.equal((await call('/v1/rights-holder/brands/vormanti', 'PUT', HOLDER_TOKEN, { names: ['Vormanti'] })).status, 200);
    const claim = {
      registrationNumber: 'EU-0001',
      jurisdiction: 'EU',
      classes: [18],
      evidence: ['docs://vormanti/reg.pdf'],
      validFrom: '2021-01-01',
      validUntil: '2099-01-01',
    };
    assert.equal((await call('/v1/rights-holder/brands/vormanti/claim', 'PUT', HOLDER_TOKEN, claim)).status, 200);
    const verified = await call('/v1/admin/claims/acme/vormanti', 'POST', ADMIN_TOKEN, { decision: 'verify' });
    assert.equal(verified.status, 200);
    const took = await until(async () => (await verdictOf(b, listing)).verdict === 'block', 5000);
    assert.ok(took < 5000, 'the registered brand was not live on B within 5 s');
    assert.equal((await call('/v1/rights-holder/brands/vormanti', 'DELETE', HOLDER_TOKEN, {})).status, 200);
    assert.ok((await until(async () => (await verdictOf(b, listing)).verdict === 'review', 5000)) < 5000, 'the removed brand still counted on B after 5 s');
  });
});
