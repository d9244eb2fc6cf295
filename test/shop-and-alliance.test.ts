// Issue 9: shop-opening checks, verified marks only, consumer reports, alliance
// sharing across members (live on every instance) and the region view of rings.
// Two gate instances on one private Redis.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { ADMIN_TOKEN, PUBLISHER_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';

const ACME = 'acme-alliance-token-0123456789';
const GLOBEX = 'globex-alliance-token-0123456789';
const CLAIM = {
  registrationNumber: 'TM-9',
  jurisdiction: 'CN',
  classes: [18, 25],
  evidence: ['docs://cert.pdf'],
  validFrom: '2020-01-01',
  validUntil: '2099-12-31',
};

let redis: TestRedis;
let a: TestGate;
let b: TestGate;

async function call(gate: TestGate, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(gate.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
}

let seq = 0;
async function check(gate: TestGate, fields: Record<string, unknown>): Promise<any> {
  const result = await call(gate, 'POST', '/v1/check', PUBLISHER_TOKEN, { listingId: `A-${++seq}`, sellerId: 's-plain', title: 'cotton tote', ...fields });
  assert.equal(result.status, 200, JSON.stringify(result.body));
  return result.body;
}

async function within(ms: number, probe: () => Promise<boolean>): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

async function brand(token: string, holder: string, brandId: string, names: string[], claim: Record<string, unknown> | undefined): Promise<any> {
  assert.equal((await call(a, 'PUT', `/v1/rights-holder/brands/${brandId}`, token, { names, categories: ['bags'] })).status, 200);
  if (!claim) return undefined;
  assert.equal((await call(a, 'PUT', `/v1/rights-holder/brands/${brandId}/claim`, token, claim)).status, 200);
  return (await call(a, 'POST', `/v1/admin/claims/${holder}/${brandId}`, ADMIN_TOKEN, { decision: 'verify' })).body;
}

describe('shop opening, verified marks, reports and the alliance', () => {
  before(async () => {
    redis = await startTestRedis();
    const env = { GATE_RIGHTS_HOLDER_TOKENS: `acme:${ACME},globex:${GLOBEX}`, GATE_REPORTS_PER_REPORTER: '3', GATE_REPORTS_ESCALATE_AT: '3' };
    a = await startTestGate({ redisUrl: redis.url, prefix: 'alliance:', publisherTokens: true, env });
    b = await startTestGate({ redisUrl: redis.url, prefix: 'alliance:', publisherTokens: true, env });
    await brand(ACME, 'acme', 'quillmark', ['Quillmark'], CLAIM);
    await brand(GLOBEX, 'globex', 'zentrix', ['Zentrix'], CLAIM);
    for (const gate of [a, b]) {
      for (const name of ['Quillmark', 'Zentrix']) {
        assert.ok(await within(5000, async () => (await check(gate, { title: `${name} replica` })).verdict === 'block'), `${name} live on every instance`);
      }
    }
  });
  after(async () => {
    await a.stop();
    await b.stop();
    await redis.stop();
  });

  it('blocks a shop whose phone is on a list, and sends an imitating business name to review', async () => {
    assert.equal((await a.post('/v1/admin/lists/phones', { values: ['ph-banned'] }, { authorization: `Bearer ${ADMIN_TOKEN}` })).status, 200);
    const banned = await call(b, 'POST', '/v1/check/seller', PUBLISHER_TOKEN, {
      sellerId: 'new-1',
      businessName: 'Sunny Bags',
      seller: { phoneHash: 'ph-banned' },
    });
    assert.equal(banned.status, 200, JSON.stringify(banned.body));
    assert.equal(banned.body.verdict, 'block');
    assert.deepEqual(
      banned.body.reasons.map((r: any) => [r.code, r.field]),
      [['blocklist_identity', 'seller.phoneHash']],
    );

    const imitation = await call(b, 'POST', '/v1/check/seller', PUBLISHER_TOKEN, {
      sellerId: 'new-2',
      businessName: 'Ｑｕｉｌｌｍａｒｋ Official Outlet',
      region: 'Putian',
    });
    assert.equal(imitation.body.verdict, 'review');
    assert.deepEqual(
      imitation.body.reasons.map((r: any) => [r.code, r.ref, r.field]),
      [['business_name_brand', 'acme/quillmark', 'businessName']],
    );
    assert.ok(imitation.body.reviewId);
    const fine = await call(b, 'POST', '/v1/check/seller', PUBLISHER_TOKEN, { sellerId: 'new-3', businessName: 'Quill and Mark Stationery' });
    assert.equal(fine.body.verdict, 'allow', JSON.stringify(fine.body));
    const bad = await call(b, 'POST', '/v1/check/seller', PUBLISHER_TOKEN, { sellerId: 'new-4' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'businessName');
  });

  it('does not enforce an unverified or expired mark, and says so to its owner', async () => {
    await brand(ACME, 'acme', 'norvessa', ['Norvessa'], undefined);
    const listing = await check(a, { title: 'Norvessa replica handbag' });
    assert.equal(listing.verdict, 'review', 'only the indicator counts: the brand is not enforced');
    assert.ok(!listing.reasons.some((r: any) => r.code === 'indicator_with_brand'));
    assert.equal((await call(a, 'POST', '/v1/check/seller', PUBLISHER_TOKEN, { sellerId: 'new-5', businessName: 'Norvessa Store' })).body.verdict, 'allow');
    const view = await call(a, 'GET', '/v1/rights-holder/brands/norvessa', ACME);
    assert.equal(view.body.enforced, false);
    assert.match(view.body.heldBack, /no mark claim/);

    await call(a, 'PUT', '/v1/rights-holder/brands/norvessa/claim', ACME, { ...CLAIM, validFrom: '2001-01-01', validUntil: '2011-01-01' });
    const expired = await call(a, 'POST', '/v1/admin/claims/acme/norvessa', ADMIN_TOKEN, { decision: 'verify' });
    assert.equal(expired.body.enforced, false);
    assert.match(expired.body.heldBack, /expired on 2011-01-01/);
    assert.equal((await check(b, { title: 'Norvessa replica handbag' })).verdict, 'review');
    const complaint = await call(a, 'POST', '/v1/rights-holder/complaints', ACME, { brandId: 'norvessa', reason: 'x', listingIds: [listing.listingId] });
    assert.equal(complaint.status, 409, 'no complaints on a mark that is not enforced');
  });

  it('raises the priority of a listing many consumers report, counts each reporter once and limits their rate', async () => {
    const listing = await check(a, { title: 'Quillmark crossbody' });
    const report = (gate: TestGate, reporterId: string) =>
      call(gate, 'POST', '/v1/reports', PUBLISHER_TOKEN, { listingId: listing.listingId, reporterId, reason: 'looks fake', evidence: 'stitching' });
    const first = await report(a, 'buyer-1');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual([first.body.reporters, first.body.tier, first.body.counted], [1, 'low', true]);
    // Another instance knows the listing once a's bookkeeping reached Redis (within about 40 ms: README).
    assert.ok(await within(2_000, async () => (await call(b, 'GET', `/v1/listings/${listing.listingId}/verdict`, PUBLISHER_TOKEN)).status === 200));
    const repeat = await report(b, 'buyer-1');
    assert.deepEqual([repeat.body.reporters, repeat.body.counted, repeat.body.reviewId], [1, false, first.body.reviewId]);
    assert.equal((await report(b, 'buyer-2')).body.reporters, 2);
    const third = await report(a, 'buyer-3');
    assert.deepEqual([third.body.reporters, third.body.tier, third.body.reviewId], [3, 'normal', first.body.reviewId]);

    const items = (await call(a, 'GET', '/v1/review/next?count=50', REVIEWER_TOKEN)).body.items as any[];
    const item = items.find((i) => i.reviewId === first.body.reviewId);
    assert.ok(item, 'the reported item is claimable');
    assert.equal(item.tier, 'normal');
    assert.equal(item.priority, 3);
    assert.equal(item.source, 'report');
    assert.equal(item.context.reports.count, 3);
    assert.equal(items.filter((i) => i.listingId === listing.listingId).length, 1, 'one item per listing, not one per report');
    for (const other of items) await call(a, 'POST', `/v1/review/${other.reviewId}/release`, REVIEWER_TOKEN, {});

    const others = [await check(a, { title: 'a' }), await check(a, { title: 'b' }), await check(a, { title: 'c' })];
    for (const [i, l] of others.slice(0, 2).entries())
      assert.equal((await call(a, 'POST', '/v1/reports', PUBLISHER_TOKEN, { listingId: l.listingId, reporterId: 'buyer-1', reason: `r${i}` })).status, 200);
    const limited = await call(b, 'POST', '/v1/reports', PUBLISHER_TOKEN, { listingId: others[2]?.listingId, reporterId: 'buyer-1', reason: 'r' });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.error.code, 'GATE_ERR_RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal((await call(a, 'POST', '/v1/reports', PUBLISHER_TOKEN, { listingId: 'never-seen', reporterId: 'buyer-9', reason: 'r' })).status, 404);
    assert.equal((await call(a, 'POST', '/v1/reports', PUBLISHER_TOKEN, { listingId: 'x', reporterId: 'buyer-9' })).body.error.field, 'reason');
  });

  it("blocks another member's listing with a shared image, credits the sharer, and stops on every instance after withdrawal", async () => {
    const hero = 'c3c3c3c3a5a5a5a5';
    assert.equal(
      (await call(a, 'POST', '/v1/rights-holder/brands/quillmark/fingerprints/images', ACME, { entries: [{ ref: 'hero', phash: hero }] })).status,
      200,
    );
    const zentrixListing = { title: 'Zentrix tote', images: [{ phash: 'c3c3c3c3a5a5a5a4' }] };
    // Private: protects only listings naming acme's brands.
    assert.equal((await check(b, zentrixListing)).verdict, 'allow');
    assert.ok(
      await within(3000, async () => (await check(b, { title: 'Quillmark tote', images: [{ phash: hero }] })).verdict === 'block'),
      'the private image protects its own brand on B',
    );

    const shared = await call(a, 'POST', '/v1/rights-holder/brands/quillmark/fingerprints/images/sharing', ACME, { refs: ['hero', 'nope'], shared: true });
    assert.deepEqual([shared.body.changed, shared.body.unchanged], [1, ['nope']]);
    assert.ok(await within(3000, async () => (await check(b, zentrixListing)).verdict === 'block'), 'the shared image blocks on B');
    const blocked = await check(b, zentrixListing);
    assert.deepEqual(blocked.reasons.find((r: any) => r.code === 'image_fingerprint').ref, 'ally/acme/quillmark/hero');
    const figures = await call(a, 'GET', '/v1/rights-holder/figures', ACME);
    assert.ok(
      await within(
        2000,
        async () =>
          ((await call(a, 'GET', '/v1/rights-holder/figures', ACME)).body.rows.find((r: any) => r.brandId === 'acme/quillmark')?.counts.allianceHits ?? 0) >= 1,
      ),
      JSON.stringify(figures.body),
    );
    const listed = await call(a, 'GET', '/v1/rights-holder/brands/quillmark/fingerprints/images', ACME);
    assert.deepEqual(listed.body.entries, [{ ref: 'hero', shared: true, phash: hero }]);
    assert.equal((await call(a, 'GET', '/v1/rights-holder/brands/quillmark/fingerprints/images', GLOBEX)).status, 404);

    await call(a, 'POST', '/v1/rights-holder/brands/quillmark/fingerprints/images/sharing', ACME, { refs: ['hero'], shared: false });
    for (const gate of [a, b])
      assert.ok(await within(3000, async () => (await check(gate, zentrixListing)).verdict === 'allow'), 'withdrawn share still matching');
    assert.equal((await check(a, { title: 'Quillmark tote', images: [{ phash: hero }] })).verdict, 'block', 'still protects its own brand');
  });

  it('applies a banked image only while its brand is enforced: not after the claim is rejected, again once verified', async () => {
    const mark = 'd4d4d4d4b6b6b6b6';
    await brand(ACME, 'acme', 'ostrava', ['Ostrava'], CLAIM);
    assert.equal(
      (await call(a, 'POST', '/v1/rights-holder/brands/ostrava/fingerprints/images', ACME, { entries: [{ ref: 'mark', phash: mark }], shared: true })).status,
      200,
    );
    const listing = { title: 'leather tote', images: [{ phash: mark }] };
    const verdictEverywhere = (verdict: string) => async () => (await check(a, listing)).verdict === verdict && (await check(b, listing)).verdict === verdict;
    assert.ok(await within(5000, verdictEverywhere('block')), 'the shared image of an enforced brand blocks on every instance');

    assert.equal((await call(a, 'POST', '/v1/admin/claims/acme/ostrava', ADMIN_TOKEN, { decision: 'reject' })).body.enforced, false);
    assert.ok(await within(5000, verdictEverywhere('allow')), 'the banked image of a brand no longer enforced still blocks');

    assert.equal((await call(a, 'POST', '/v1/admin/claims/acme/ostrava', ADMIN_TOKEN, { decision: 'verify' })).body.enforced, true);
    assert.ok(await within(5000, verdictEverywhere('block')), 'the image blocks again once the brand is enforced');
  });

  it('counts a shared seller against the sharing brand only, until a reviewer lists it platform-wide; a withdrawal ends only the share', async () => {
    assert.equal((await check(b, { sellerId: 'fake-shop-9', title: 'Quillmark tote' })).verdict, 'allow', 'a brand named without an indicator');
    const share = await call(a, 'POST', '/v1/rights-holder/brands/quillmark/sellers', ACME, { sellerIds: ['fake-shop-9'] });
    assert.equal(share.status, 200);
    // Acme vouches for its own mark: another member's brand, or no brand, is not its call.
    const own = await within(2000, async () => {
      const answer = await check(b, { sellerId: 'fake-shop-9', title: 'Quillmark tote' });
      return answer.verdict === 'block' && answer.reasons.some((r: any) => r.code === 'blocklist_seller' && r.ref === 'alliance:acme/quillmark');
    });
    assert.ok(own, 'the shared seller is blocked on listings naming the sharing brand, on another instance');
    assert.equal((await check(b, { sellerId: 'fake-shop-9', title: 'Zentrix tote' })).verdict, 'allow', "another member's brand");
    assert.equal((await check(b, { sellerId: 'fake-shop-9', title: 'cotton tote' })).verdict, 'allow', 'no brand at all');
    assert.deepEqual(
      (await call(a, 'GET', '/v1/rights-holder/brands/quillmark/sellers', ACME)).body.sellers.map((s: any) => s.sellerId),
      ['fake-shop-9'],
    );
    const pending = await call(a, 'GET', '/v1/review/alliance/sellers', REVIEWER_TOKEN);
    assert.deepEqual(pending.body.sellers, [{ sellerId: 'fake-shop-9', brands: ['acme/quillmark'], review: null }]);

    // A reviewer confirms: listed platform-wide in the reviewer's name.
    const confirmed = await call(b, 'POST', '/v1/review/alliance/sellers/fake-shop-9/decision', REVIEWER_TOKEN, { decision: 'confirm', note: 'test buys' });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.ok(await within(2000, async () => (await check(a, { sellerId: 'fake-shop-9', title: 'cotton tote' })).verdict === 'block'));
    assert.deepEqual((await call(a, 'GET', '/v1/review/alliance/sellers', REVIEWER_TOKEN)).body.sellers, []);

    // The holder withdraws: its share ends, the reviewer's listing stays.
    const withdrawn = await call(a, 'DELETE', '/v1/rights-holder/brands/quillmark/sellers', ACME, { sellerIds: ['fake-shop-9', 'never-shared'] });
    assert.deepEqual(withdrawn.body.delisted, ['fake-shop-9']);
    assert.deepEqual((await call(a, 'GET', '/v1/rights-holder/brands/quillmark/sellers', ACME)).body.sellers, []);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await check(b, { sellerId: 'fake-shop-9', title: 'cotton tote' })).verdict, 'block', "the reviewer's listing outlives the share");
  });

  it('keeps a seller an admin listed when a rights holder that shared it withdraws', async () => {
    assert.equal((await call(a, 'POST', '/v1/rights-holder/brands/quillmark/sellers', ACME, { sellerIds: ['fake-shop-10'] })).status, 200);
    assert.equal((await call(a, 'POST', '/v1/admin/lists/sellers', ADMIN_TOKEN, { values: ['fake-shop-10'] })).status, 200);
    const withdrawn = await call(a, 'DELETE', '/v1/rights-holder/brands/quillmark/sellers', ACME, { sellerIds: ['fake-shop-10'] });
    assert.deepEqual(withdrawn.body.delisted, ['fake-shop-10']);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await check(b, { sellerId: 'fake-shop-10', title: 'cotton tote' })).verdict, 'block');
    assert.equal((await call(a, 'GET', '/v1/admin/lists/sellers/fake-shop-10', ADMIN_TOKEN)).body.listed, true);
  });

  it('shows rings by region in the admin view and the clue package', async () => {
    await call(a, 'POST', '/v1/check/seller', PUBLISHER_TOKEN, {
      sellerId: 'gang-1',
      businessName: 'Alpha Goods',
      region: 'Putian',
      seller: { phoneHash: 'gang-phone' },
    });
    await call(b, 'POST', '/v1/check/seller', PUBLISHER_TOKEN, {
      sellerId: 'gang-2',
      businessName: 'Beta Goods',
      region: 'Putian',
      seller: { phoneHash: 'gang-phone', deviceId: 'gang-dev' },
    });
    await check(a, { sellerId: 'gang-3', title: 'shoes', seller: { deviceId: 'gang-dev' }, attributes: { shipFrom: 'Guangzhou' } });
    const view = await call(a, 'GET', '/v1/admin/rings/gang-3', ADMIN_TOKEN);
    assert.deepEqual(
      view.body.members.map((m: any) => m.sellerId),
      ['gang-1', 'gang-2', 'gang-3'],
    );
    assert.deepEqual(view.body.regions, [
      { region: 'Putian', sellers: 2 },
      { region: 'Guangzhou', sellers: 1 },
    ]);
    const csv = (await call(a, 'GET', '/v1/admin/rings/gang-1/clue-package?format=csv', ADMIN_TOKEN)).body as string;
    assert.ok(csv.split('\r\n').some((line) => line.includes(',gang-1,') && line.includes('Putian')));
  });
});
