// Issue 29: what a person decided is never silently reversed. Two gate instances
// on one Redis, as a marketplace, reviewers, a rights holder and an admin would
// use them; each case failed on the landed gate.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { callGate, eventually } from './helpers/gate-calls.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { ADMIN_TOKEN, PUBLISHER_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';
import { connectRedis } from '../src/redis/connect-redis.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { verdictShardOf } from '../src/redis/verdict-shard.js';
import { ReviewQueue } from '../src/review/review-queue.js';
import { contentHash } from '../src/gate/content-hash.js';
import { FIGURES_GATHER_MS } from '../src/redis/hash-counters.js';

const HOLDER = 'acme-sticky-token-0123456789';
const BOB = 'bob-reviewer-token-0123456789';
const SHOP = 'shop-publisher-token-0123456789';
const CLAIM = {
  registrationNumber: 'TM-7',
  jurisdiction: 'CN',
  classes: [18],
  evidence: ['docs://cert.pdf'],
  validFrom: '2020-01-01',
  validUntil: '2099-12-31',
};

let redis: TestRedis;
let a: TestGate;
let b: TestGate;
const prefix = 'sticky:';
const env = {
  GATE_RIGHTS_HOLDER_TOKENS: `acme:${HOLDER}`,
  GATE_REVIEWER_TOKENS: `alice:${REVIEWER_TOKEN},bob:${BOB}`,
  GATE_PUBLISHER_TOKENS: `${PUBLISHER_TOKEN},shop:${SHOP}`,
};

const call = callGate;

async function check(gate: TestGate, listing: Record<string, unknown>): Promise<any> {
  const result = await call(gate, 'POST', '/v1/check', PUBLISHER_TOKEN, listing);
  assert.equal(result.status, 200, JSON.stringify(result.body));
  return result.body;
}

/** Claims as `token` until the item comes up (releasing others); answers the decision call. */
async function claim(gate: TestGate, token: string, reviewId: string): Promise<void> {
  await eventually(`item ${reviewId}`, async () => {
    const items = (await call(gate, 'GET', '/v1/review/next?count=50', token)).body.items as any[];
    for (const other of items) if (other.reviewId !== reviewId) await call(gate, 'POST', `/v1/review/${other.reviewId}/release`, token, {});
    return items.some((i) => i.reviewId === reviewId) ? true : undefined;
  });
}

describe('decisions stick', () => {
  before(async () => {
    redis = await startTestRedis();
    a = await startTestGate({ redisUrl: redis.url, prefix, publisherTokens: true, env });
    b = await startTestGate({ redisUrl: redis.url, prefix, publisherTokens: true, env });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.stop();
  });

  it('keeps an overturned appeal when the same content is checked again, on every instance', async () => {
    const listing = { listingId: 'AP1', sellerId: 's-ap', title: 'LV 高仿 手提包' };
    assert.equal((await check(a, listing)).verdict, 'block');
    const appeal = await call(a, 'POST', '/v1/listings/AP1/appeal', PUBLISHER_TOKEN, { sellerId: 's-ap', reason: 'genuine, receipt attached' });
    assert.equal(appeal.status, 200, JSON.stringify(appeal.body));
    await claim(a, REVIEWER_TOKEN, appeal.body.appeal.reviewId);
    assert.equal((await call(a, 'POST', `/v1/review/${appeal.body.appeal.reviewId}/decision`, REVIEWER_TOKEN, { decision: 'allow' })).status, 200);
    for (const gate of [a, b, a, b]) {
      const again = await check(gate, listing);
      assert.equal(again.verdict, 'allow', 'the same content checked again');
      const record = (await call(gate, 'GET', '/v1/listings/AP1/verdict', PUBLISHER_TOKEN)).body;
      assert.equal(record.verdict, 'allow');
      assert.equal(record.decidedBy, 'reviewer:alice');
    }
    await new Promise((r) => setTimeout(r, 50)); // the gate's record of the last check is written behind
    assert.equal((await call(b, 'GET', '/v1/listings/AP1/verdict', PUBLISHER_TOKEN)).body.decidedBy, 'reviewer:alice');
    // Changed content is the gate's to judge again.
    assert.equal((await check(b, { ...listing, title: 'LV 高仿 手提包 新款' })).verdict, 'block');
  });

  it("closes a listing's older item when a complaint about it is upheld; deciding the leftover is refused", async () => {
    assert.equal((await call(a, 'PUT', '/v1/rights-holder/brands/quillmark', HOLDER, { names: ['Quillmark'], categories: ['bags'] })).status, 200);
    assert.equal((await call(a, 'PUT', '/v1/rights-holder/brands/quillmark/claim', HOLDER, CLAIM)).status, 200);
    assert.equal((await call(a, 'POST', '/v1/admin/claims/acme/quillmark', ADMIN_TOKEN, { decision: 'verify' })).status, 200);
    const listing = { listingId: 'CP1', sellerId: 's-cp', title: '高仿 手提包 tote' };
    const first = await check(a, listing);
    assert.equal(first.verdict, 'review');
    await claim(a, BOB, first.reviewId); // bob holds the gate's item meanwhile
    const complaint = await call(a, 'POST', '/v1/rights-holder/complaints', HOLDER, { brandId: 'quillmark', reason: 'counterfeit', listingIds: ['CP1'] });
    const complaintItem = complaint.body.results[0].complaint.reviewId as string;
    await claim(b, REVIEWER_TOKEN, complaintItem);
    assert.equal((await call(b, 'POST', `/v1/review/${complaintItem}/decision`, REVIEWER_TOKEN, { decision: 'block' })).status, 200);
    const leftover = await call(a, 'POST', `/v1/review/${first.reviewId}/decision`, BOB, { decision: 'allow' });
    assert.equal(leftover.status, 409, JSON.stringify(leftover.body));
    assert.equal(leftover.body.error.details.reason, 'superseded');
    const record = (await call(a, 'GET', '/v1/listings/CP1/verdict', PUBLISHER_TOKEN)).body;
    assert.equal(record.verdict, 'block');
    const status = (await call(a, 'GET', `/v1/rights-holder/complaints/${complaint.body.results[0].complaint.complaintId}`, HOLDER)).body.status;
    assert.equal(status, 'upheld');
    assert.equal((await check(b, listing)).verdict, 'block', 'the upheld complaint stands for the same content');
  });

  it("closes a listing's older item through the open index an earlier version kept as a set", async () => {
    const first = await check(a, { listingId: 'OS1', sellerId: 's-os', title: '高仿 手提包 tote' });
    const second = await check(b, { listingId: 'OS1', sellerId: 's-os', title: '高仿 手提包 tote 新款' });
    assert.equal(first.verdict, 'review');
    assert.equal(second.verdict, 'review');
    assert.notEqual(first.reviewId, second.reviewId);
    const operator = await connectRedis(redis.adminUrl, 'decisions-stick-open-set');
    try {
      const open = `${prefix}{review}:open:OS1`;
      assert.deepEqual((await operator.zrange(open, 0, -1)).sort(), [first.reviewId, second.reviewId].sort());
      await operator.del(open);
      await operator.sadd(open, first.reviewId, second.reviewId);
    } finally {
      operator.disconnect();
    }
    const third = await check(a, { listingId: 'OS1', sellerId: 's-os', title: '高仿 手提包 tote 2024' });
    assert.equal(third.verdict, 'review', 'a new item joins the set');
    await claim(a, REVIEWER_TOKEN, second.reviewId);
    assert.equal((await call(a, 'POST', `/v1/review/${second.reviewId}/decision`, REVIEWER_TOKEN, { decision: 'block' })).status, 200);
    for (const other of [first, third]) {
      const leftover = await call(b, 'POST', `/v1/review/${other.reviewId}/decision`, ADMIN_TOKEN, { decision: 'allow' });
      assert.equal(leftover.status, 409, JSON.stringify(leftover.body));
      assert.equal(leftover.body.error.details.reason, 'superseded');
    }
  });

  it("keeps an admin's removal of a pack-seeded list entry through a restart", async () => {
    const listing = { listingId: 'LS1', sellerId: 's-demo-known-counterfeiter', title: 'plain tote' };
    assert.equal((await check(a, listing)).verdict, 'block', 'the demo pack lists the seller');
    const removed = await call(a, 'DELETE', '/v1/admin/lists/sellers', ADMIN_TOKEN, { values: ['s-demo-known-counterfeiter', 's-never-listed'] });
    assert.deepEqual(removed.body, { kind: 'sellers', removed: 1 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await check(b, { ...listing, listingId: 'LS2' })).verdict, 'allow');
    await a.stop();
    a = await startTestGate({ redisUrl: redis.url, prefix, publisherTokens: true, env });
    assert.equal((await check(a, { ...listing, listingId: 'LS3' })).verdict, 'allow', 'the pack did not seed it again');
    const audit = (await call(a, 'GET', '/v1/admin/audit?count=1000', ADMIN_TOKEN)).body.records as any[];
    const record = audit.find((r) => r.record.what === 'list:remove:sellers');
    assert.equal(record.record.details.removed, 1, 'the audit log says what happened');
    assert.equal(record.record.details.requested, 2);
    // An admin adding it back lifts the tombstone.
    assert.equal((await call(a, 'POST', '/v1/admin/lists/sellers', ADMIN_TOKEN, { values: ['s-demo-known-counterfeiter'] })).status, 200);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await check(b, { ...listing, listingId: 'LS4' })).verdict, 'block');
  });

  it("numbers each listing's decisions, so a late effect cannot reverse a newer one", async () => {
    const listing = { listingId: 'SQ1', sellerId: 's-sq', title: '高仿 手提包' };
    const first = await check(a, listing);
    await claim(a, REVIEWER_TOKEN, first.reviewId);
    assert.equal((await call(a, 'POST', `/v1/review/${first.reviewId}/decision`, REVIEWER_TOKEN, { decision: 'block' })).status, 200);
    const v1 = (await call(a, 'GET', '/v1/listings/SQ1/verdict', PUBLISHER_TOKEN)).body;
    assert.equal(v1.version, 1);
    assert.equal((await call(a, 'POST', `/v1/review/${first.reviewId}/undo`, REVIEWER_TOKEN, {})).status, 200);
    const v2 = (await call(a, 'GET', '/v1/listings/SQ1/verdict', PUBLISHER_TOKEN)).body;
    assert.equal(v2.version, 2);
    assert.equal(v2.verdict, 'review');
  });

  it("keeps a verified brand's names enforced through harmless edits; only a new alias waits for an admin", async () => {
    assert.equal((await call(a, 'PUT', '/v1/rights-holder/brands/zentrix', HOLDER, { names: ['Zentrix'], categories: ['bags'] })).status, 200);
    assert.equal((await call(a, 'PUT', '/v1/rights-holder/brands/zentrix/claim', HOLDER, CLAIM)).status, 200);
    assert.equal((await call(a, 'POST', '/v1/admin/claims/acme/zentrix', ADMIN_TOKEN, { decision: 'verify' })).status, 200);
    let n = 0;
    const verdictOf = async (gate: TestGate, title: string): Promise<string> => (await check(gate, { listingId: `BR${++n}`, sellerId: 's-br', title })).verdict;
    await eventually('zentrix enforced', async () => ((await verdictOf(b, 'Zentrix replica')) === 'block' ? true : undefined));
    const added = await call(a, 'PUT', '/v1/rights-holder/brands/zentrix', HOLDER, { names: ['Zentrx', 'Zentrix'], categories: ['bags'] });
    assert.equal(added.status, 200);
    assert.deepEqual([added.body.verification.status, added.body.verifiedNames, added.body.pendingNames], ['verified', ['Zentrix'], ['Zentrx']]);
    assert.equal(added.body.enforced, true);
    const pending = (await call(a, 'GET', '/v1/admin/claims?status=pending', ADMIN_TOKEN)).body.claims.map((c: any) => c.brandId);
    assert.ok(pending.includes('zentrix'), 'the new alias awaits an admin');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await verdictOf(b, 'Zentrix replica'), 'block', 'the verified name is still enforced');
    assert.notEqual(await verdictOf(b, 'Zentrx replica'), 'block', 'the new alias is not, yet (replica alone: review)');
    const reordered = await call(a, 'PUT', '/v1/rights-holder/brands/zentrix', HOLDER, { names: ['Zentrix', 'Zentrx'], categories: ['bags'] });
    assert.deepEqual(reordered.body.verifiedNames, ['Zentrix']);
    assert.equal((await call(a, 'POST', '/v1/admin/claims/acme/zentrix', ADMIN_TOKEN, { decision: 'verify' })).status, 200);
    await eventually('the alias enforced once verified', async () => ((await verdictOf(a, 'Zentrx replica')) === 'block' ? true : undefined));
  });

  it('gives the caller of a spooled item an id that leads to the item it was merged into', async () => {
    const listing = { listingId: 'SP1', sellerId: 's-sp', title: '高仿 钱包' };
    const first = await check(a, listing);
    assert.equal(first.verdict, 'review');
    // The same content, spooled under another id while Redis was away, replayed once it is back.
    const client = await connectRedis(redis.url, 'decisions-stick-replay');
    try {
      const queue = new ReviewQueue(client, redisKeys(prefix));
      const replayed = await queue.replaySpooled({
        reviewId: 'rv_spooled-sp1',
        listingId: 'SP1',
        sellerId: 's-sp',
        contentHash: contentHash(listing),
        policyVersion: 'demo-1',
        checkId: 'ck_sp1',
        score: 60,
        tier: 'normal',
        priority: 60,
        reasons: [],
        listing,
        source: 'gate',
      });
      assert.deepEqual(replayed, { kind: 'queued', reviewId: first.reviewId, created: false });
    } finally {
      client.disconnect();
    }
    await claim(a, REVIEWER_TOKEN, first.reviewId);
    const decided = await call(b, 'POST', '/v1/review/rv_spooled-sp1/decision', REVIEWER_TOKEN, { decision: 'block' });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.equal((await call(a, 'GET', '/v1/listings/SP1/verdict', PUBLISHER_TOKEN)).body.verdict, 'block');
  });

  it('counts a blocked listing once however often it is checked, an overturned appeal against its brand, and an undone decision as undone', async () => {
    const figures = async (): Promise<Record<string, number>> => {
      const rows = (await call(a, 'GET', '/v1/rights-holder/figures', HOLDER)).body.rows as Array<{ brandId: string; counts: Record<string, number> }>;
      const out: Record<string, number> = {};
      for (const row of rows.filter((r) => r.brandId === 'acme/zentrix')) for (const [k, v] of Object.entries(row.counts)) out[k] = (out[k] ?? 0) + v;
      return out;
    };
    // Each instance adds its figures once a second (FIGURES_GATHER_MS): the other's counts of earlier tests land first.
    await new Promise((r) => setTimeout(r, FIGURES_GATHER_MS + 300));
    const before = await figures();
    const listing = { listingId: 'FG1', sellerId: 's-fg', title: 'Zentrix replica bag' };
    for (let i = 0; i < 3; i++) assert.equal((await check(i % 2 ? a : b, listing)).verdict, 'block');
    await eventually('the block counted', async () => ((await figures()).blockedAtPublish === (before.blockedAtPublish ?? 0) + 1 ? true : undefined), 3000);
    await new Promise((r) => setTimeout(r, FIGURES_GATHER_MS + 300));
    assert.equal((await figures()).blockedAtPublish, (before.blockedAtPublish ?? 0) + 1, 'three checks of one blocked listing, one block');
    const appeal = await call(a, 'POST', '/v1/listings/FG1/appeal', PUBLISHER_TOKEN, { sellerId: 's-fg', reason: 'authorised' });
    await claim(a, REVIEWER_TOKEN, appeal.body.appeal.reviewId);
    assert.equal((await call(a, 'POST', `/v1/review/${appeal.body.appeal.reviewId}/decision`, REVIEWER_TOKEN, { decision: 'allow' })).status, 200);
    await eventually(
      'the overturn counted against the brand',
      async () => ((await figures()).overturned === (before.overturned ?? 0) + 1 ? true : undefined),
      3000,
    );
    // A decision undone shows as undone in the seller's history.
    assert.equal((await call(a, 'POST', `/v1/review/${appeal.body.appeal.reviewId}/undo`, REVIEWER_TOKEN, {})).status, 200);
    const history = (await call(a, 'GET', '/v1/review/sellers/s-fg/history', REVIEWER_TOKEN)).body.history as Array<{ reviewId: string; undone?: boolean }>;
    assert.deepEqual(
      history.filter((h) => h.reviewId === appeal.body.appeal.reviewId).map((h) => h.undone ?? false),
      [true],
    );
  });

  it('takes name:token publisher tokens like the other lists, and refuses days that do not exist', async () => {
    assert.equal((await call(a, 'POST', '/v1/check', SHOP, { listingId: 'TK1', sellerId: 's', title: 'tote' })).status, 200);
    assert.equal((await call(a, 'POST', '/v1/check', `shop:${SHOP}`, { listingId: 'TK1', sellerId: 's', title: 'tote' })).status, 401);
    assert.equal((await call(a, 'GET', '/v1/admin/transparency?from=2026-02-30&to=2026-03-01', ADMIN_TOKEN)).status, 400);
  });

  it("keeps each verdict record for its retention window: the gate's allow 30 days, blocks and people's decisions 180", async () => {
    await check(a, { listingId: 'TTL-ALLOW', sellerId: 's-ttl', title: 'plain cotton tote' });
    await check(a, { listingId: 'TTL-BLOCK', sellerId: 's-ttl', title: 'LV 高仿 手提包' });
    await new Promise((r) => setTimeout(r, 100));
    const operator = await connectRedis(redis.adminUrl, 'decisions-stick-ttl');
    try {
      const day = 86_400;
      const ttl = async (listingId: string): Promise<number> => operator.ttl(redisKeys(prefix).listingVerdict(listingId));
      // The gate's allow is a compact record in today's bucket, kept 30 days after the day ends.
      assert.equal(await operator.exists(redisKeys(prefix).listingVerdict('TTL-ALLOW')), 0, 'an allow keeps no full record');
      const today = Math.floor(Date.now() / (day * 1000)) * day * 1000;
      const bucket = `${redisKeys(prefix).allowRecords('TTL-ALLOW')}${today}:16:${verdictShardOf('TTL-ALLOW').bucketHash % 16}`;
      assert.match((await operator.hget(bucket, 'TTL-ALLOW')) ?? '', /\|s-ttl$/, 'the compact record names the seller');
      const allowTtl = await operator.ttl(bucket);
      assert.ok(allowTtl > 30 * day - 60 && allowTtl <= 31 * day, `allow: ${allowTtl}`);
      assert.ok(Math.abs((await ttl('TTL-BLOCK')) - 180 * day) < 60, `block: ${await ttl('TTL-BLOCK')}`);
      assert.ok(Math.abs((await ttl('AP1')) - 180 * day) < 60, `a reviewer's allow: ${await ttl('AP1')}`);
    } finally {
      operator.disconnect();
    }
  });

  it('answers 4xx, not 500, to malformed ids and cursors', async () => {
    assert.equal((await call(a, 'GET', '/v1/listings/%E0%A4%A/verdict', PUBLISHER_TOKEN)).status, 400);
    assert.equal((await call(a, 'GET', '/v1/admin/lists/sellers/%E0%A4%A', ADMIN_TOKEN)).status, 400);
    assert.equal((await call(a, 'GET', '/v1/admin/audit?after=garbage', ADMIN_TOKEN)).status, 400);
  });
});
