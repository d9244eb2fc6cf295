// Issue 23, point 6: an admin erases a listing, or a seller with its listings, and
// nothing of them is left in Redis but the audit record of the erasure. Real gate,
// real Redis, real reviewers', rights holders', sellers' and reporters' calls, a
// webhook receiver that never takes an event (so they wait in the outbox) and the
// Redis Streams intake; every key of the Redis read whole (test/helpers/find-traces.ts).
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { LISTING_FAMILIES, SELLER_FAMILIES } from '../src/erasure/erased-families.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { callGate, eventually } from './helpers/gate-calls.js';
import { findTraces, isAuditKey } from './helpers/find-traces.js';
import { addEntries, verdictsOf } from './helpers/intake-streams.js';
import { ADMIN_TOKEN, PUBLISHER_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

const HOLDER = 'erasure-holder-token-0123456789';
const CLAIM = {
  registrationNumber: 'TM-ER-1',
  jurisdiction: 'cn',
  classes: [18],
  evidence: ['docs://er/cert.pdf'],
  validFrom: '2020-01-01',
  validUntil: '2099-12-31',
};
const run = randomUUID().slice(0, 8);
/** Ids of one length, none a part of another, so that a trace of one is never taken for another's. */
const id = (kind: string): string => `er-${run}-${kind}`;
/** A listing's seller, whose id does not hold the listing's: a listing's erasure leaves its seller's own keys. */
const sellerOf = (listingId: string): string => `seller-of-${listingId.split('-').reverse().join('-')}`;

interface Answer {
  verdict: string;
  reviewId?: string;
}

let redis: TestRedis;
let gate: TestGate;
let operator: Redis;
let hooks: Server;
const prefix = `er${run}:`;
const keys = redisKeys(prefix);
const intakeStream = `${prefix}{intake}`;

before(async () => {
  // The receiver refuses every event: they stay in the outbox, as for a marketplace that is down.
  hooks = createServer((_req, res) => res.writeHead(500).end());
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  redis = await startTestRedis();
  gate = await startTestGate({
    redisUrl: redis.url,
    prefix,
    publisherTokens: true,
    env: {
      GATE_RIGHTS_HOLDER_TOKENS: `acme:${HOLDER}`,
      GATE_WEBHOOK_URL: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`,
      GATE_WEBHOOK_SECRET: 'erasure-webhook-secret-0123456789',
      GATE_INTAKE_STREAM: intakeStream,
      // A claimed item given back once more than this goes to the dead letters.
      GATE_REVIEW_MAX_DELIVERIES: '1',
    },
  });
  operator = new Redis(redis.adminUrl);
});
after(async () => {
  operator?.disconnect();
  await gate?.stop();
  await redis?.stop();
  await new Promise((resolve) => hooks?.close(resolve));
});

async function check(listing: Record<string, unknown>): Promise<Answer> {
  const answer = await callGate(gate, 'POST', '/v1/check', PUBLISHER_TOKEN, listing);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body as Answer;
}

/** Claims items until `reviewId` comes up (giving the others back) and decides it. */
async function decide(reviewId: string, decision: 'block' | 'allow', confirm?: Record<string, boolean>): Promise<void> {
  await eventually(`review item ${reviewId}`, async () => {
    const claimed = (await callGate(gate, 'GET', '/v1/review/next?count=50', REVIEWER_TOKEN)).body.items as Array<{ reviewId: string }>;
    const found = claimed.find((item) => item.reviewId === reviewId);
    for (const other of claimed) if (other !== found) await callGate(gate, 'POST', `/v1/review/${other.reviewId}/release`, REVIEWER_TOKEN, {});
    return found;
  });
  const result = await callGate(gate, 'POST', `/v1/review/${reviewId}/decision`, REVIEWER_TOKEN, { decision, ...(confirm ? { confirm } : {}) });
  assert.equal(result.status, 200, JSON.stringify(result.body));
}

/** Every review id the listing's items index names: what the search looks for besides the listing. */
async function reviewIdsOf(listingId: string): Promise<string[]> {
  return operator.zrange(keys.reviewOpenPrefix + listingId, 0, -1);
}

async function erase(path: string): Promise<Record<string, number>> {
  const answer = await callGate(gate, 'DELETE', path, ADMIN_TOKEN);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.erased as Record<string, number>;
}

/** Traces outside the audit log, and those of the families `alsoKept` names. */
async function tracesOf(needles: readonly string[], alsoKept: (key: string) => boolean = () => false): Promise<string[]> {
  const { traces, keysRead } = await findTraces([operator], needles, (key) => isAuditKey(key) || alsoKept(key));
  assert.ok(keysRead > 20, `the search read ${keysRead} keys`);
  return traces.map((t) => `${t.needle} in ${t.key} (${t.where})`);
}

describe('erasing a listing', () => {
  it('leaves nothing of a blocked, a reviewed, an allowed and a complained listing but the audit record, and judges them afresh', async () => {
    const [blocked, reviewed, allowed, complained] = [id('blocked'), id('reviewd'), id('allowed'), id('complnd')];
    // Blocked, then reported by a consumer and appealed by its seller.
    assert.equal((await check({ listingId: blocked, sellerId: sellerOf(blocked), title: 'LV 高仿 手提包' })).verdict, 'block');
    assert.equal(
      (await callGate(gate, 'POST', '/v1/reports', PUBLISHER_TOKEN, { listingId: blocked, reporterId: id('reporter'), reason: 'fake' })).status,
      200,
    );
    const appeal = await callGate(gate, 'POST', `/v1/listings/${blocked}/appeal`, PUBLISHER_TOKEN, { sellerId: sellerOf(blocked), reason: 'genuine' });
    assert.equal(appeal.status, 200, JSON.stringify(appeal.body));
    // Reviewed: a reviewer blocks it (the webhook event waits in the outbox).
    const queued = await check({ listingId: reviewed, sellerId: sellerOf(reviewed), title: 'super copy handbag' });
    assert.equal(queued.verdict, 'review');
    await decide(queued.reviewId ?? '', 'block');
    // Allowed, through the intake stream.
    const [entry] = await addEntries(operator, intakeStream, [
      { listing: JSON.stringify({ listingId: allowed, sellerId: sellerOf(allowed), title: 'plain cotton tote' }) },
    ]);
    await verdictsOf(operator, intakeStream, [entry ?? '']);
    // Complained about by a rights holder, and the complaint upheld.
    const holder = (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => callGate(gate, method, path, HOLDER, body);
    assert.equal((await holder('PUT', '/v1/rights-holder/brands/erasmark', { names: ['Erasmark'], categories: ['bags'] })).status, 200);
    assert.equal((await holder('PUT', '/v1/rights-holder/brands/erasmark/claim', CLAIM)).status, 200);
    assert.equal((await callGate(gate, 'POST', '/v1/admin/claims/acme/erasmark', ADMIN_TOKEN, { decision: 'verify' })).status, 200);
    assert.equal((await check({ listingId: complained, sellerId: sellerOf(complained), title: 'plain canvas tote' })).verdict, 'allow');
    const filed = await holder('POST', '/v1/rights-holder/complaints', { brandId: 'erasmark', reason: 'counterfeit', listingIds: [complained] });
    assert.equal(filed.status, 200, JSON.stringify(filed.body));
    const complaint = filed.body.results[0].complaint as { complaintId: string; reviewId: string };
    await decide(complaint.reviewId, 'block');
    await eventually('the complaint upheld', async () =>
      (await holder('GET', `/v1/rights-holder/complaints/${complaint.complaintId}`)).body.status === 'upheld' ? true : undefined,
    );

    const listings = [blocked, reviewed, allowed, complained];
    const needles = [...listings, ...(await Promise.all(listings.map(reviewIdsOf))).flat(), appeal.body.appeal.appealId as string, complaint.complaintId];
    assert.equal(needles.length, 4 + 4 + 2, 'items: the report and the appeal, the review, the complaint');
    const before = await tracesOf(needles);
    for (const family of [
      '{verdicts:',
      '{review}:stream:',
      '{review}:decisions',
      '{webhook}:outbox',
      '{complaints}:',
      '{appeals}:',
      '{reports}:',
      '{seller:',
      '{rings}:listings:',
      ':verdicts',
    ]) {
      assert.ok(
        before.some((trace) => trace.includes(family)),
        `before the erasure, a trace in ${family}: the search finds it`,
      );
    }

    const erased = new Map<string, Record<string, number>>();
    for (const listingId of listings) erased.set(listingId, await erase(`/v1/admin/listings/${listingId}`));
    assert.deepEqual(Object.keys(erased.get(blocked) ?? {}), [...LISTING_FAMILIES], 'every family is named');
    const at = (listingId: string, family: string): number => erased.get(listingId)?.[family] ?? -1;
    assert.equal(at(blocked, 'verdictRecords'), 1);
    assert.equal(at(blocked, 'reviewItems'), 2);
    assert.equal(at(blocked, 'appeals'), 1);
    assert.equal(at(blocked, 'reports'), 2);
    // Its report and appeal items, given back while other items were decided, went to the dead letters (GATE_REVIEW_MAX_DELIVERIES=1).
    assert.equal(at(blocked, 'deadLetters'), 2);
    assert.equal(at(reviewed, 'decidedListings'), 1);
    assert.ok(
      at(reviewed, 'decisionEntries') >= 1 && at(reviewed, 'webhookEvents') >= 1 && at(reviewed, 'sellerHistoryEntries') === 1,
      JSON.stringify(erased.get(reviewed)),
    );
    assert.equal(at(allowed, 'allowRecords'), 1);
    // Its verdict, and its entry if the intake's trim has not taken it yet.
    assert.ok(at(allowed, 'intakeEntries') >= 1);
    assert.equal(at(complained, 'complaints'), 1);
    assert.ok(at(complained, 'outcomeMarkers') >= 1);

    assert.deepEqual(await tracesOf(needles), [], 'nothing of the listings is left outside the audit log');
    for (const listingId of listings) {
      assert.equal((await callGate(gate, 'GET', `/v1/listings/${listingId}/verdict`, PUBLISHER_TOKEN)).status, 404, `${listingId} is unknown`);
      const again = await erase(`/v1/admin/listings/${listingId}`);
      assert.deepEqual(again, Object.fromEntries(LISTING_FAMILIES.map((family) => [family, 0])), 'a second erasure finds nothing');
    }
    const audit = (await callGate(gate, 'GET', '/v1/admin/audit?count=1000', ADMIN_TOKEN)).body.records as Array<{
      record?: { what: string; subject?: string };
    }>;
    assert.equal(audit.filter((r) => r.record?.what === 'erase:listing' && r.record.subject === reviewed).length, 2, 'each erasure is recorded');
    assert.equal((await callGate(gate, 'GET', '/v1/admin/audit/verify', ADMIN_TOKEN)).body.intact, true, 'and the log still verifies');

    // The same content again is the gate's to judge, not the erased reviewer's block.
    const fresh = await check({ listingId: reviewed, sellerId: sellerOf(reviewed), title: 'super copy handbag' });
    assert.equal(fresh.verdict, 'review');
    assert.notEqual(fresh.reviewId, queued.reviewId);
    const record = (await callGate(gate, 'GET', `/v1/listings/${reviewed}/verdict`, PUBLISHER_TOKEN)).body as { decidedBy: string };
    assert.equal(record.decidedBy, 'gate');
  });

  it('answers bad ids, wrong methods and callers who are not admins with coded errors, and an unknown id with zeros', async () => {
    const listing = '/v1/admin/listings/some-listing';
    assert.equal((await callGate(gate, 'DELETE', listing, 'no-such-token')).status, 401);
    assert.equal((await callGate(gate, 'DELETE', listing, PUBLISHER_TOKEN)).status, 403);
    assert.equal((await callGate(gate, 'DELETE', '/v1/admin/sellers/some-seller/data', REVIEWER_TOKEN)).status, 403);
    const long = await callGate(gate, 'DELETE', `/v1/admin/listings/${'x'.repeat(129)}`, ADMIN_TOKEN);
    assert.deepEqual([long.status, long.body.error.code, long.body.error.field], [400, 'GATE_ERR_INVALID_FIELD', 'listingId']);
    const torn = await callGate(gate, 'DELETE', '/v1/admin/sellers/%E0%A4%A/data', ADMIN_TOKEN);
    assert.deepEqual([torn.status, torn.body.error.code, torn.body.error.field], [400, 'GATE_ERR_INVALID_FIELD', 'path']);
    for (const [method, path] of [
      ['GET', listing],
      ['POST', listing],
      ['GET', '/v1/admin/sellers/some-seller/data'],
    ] as const) {
      const wrong = await callGate(gate, method, path, ADMIN_TOKEN, method === 'POST' ? {} : undefined);
      assert.deepEqual([wrong.status, wrong.body.error.code], [405, 'GATE_ERR_METHOD_NOT_ALLOWED'], `${method} ${path}`);
    }
    assert.deepEqual(
      await erase(`/v1/admin/listings/${encodeURIComponent('never/seen listing')}`),
      Object.fromEntries(LISTING_FAMILIES.map((family) => [family, 0])),
    );
  });
});

describe('erasing a seller', () => {
  /** Claims what is waiting, gives it all back, and claims again: with GATE_REVIEW_MAX_DELIVERIES=1 the item goes to the dead letters. */
  async function bury(reviewId: string): Promise<void> {
    await eventually(`${reviewId} in the dead letters`, async () => {
      for (const item of (await callGate(gate, 'GET', '/v1/review/next?count=50', REVIEWER_TOKEN)).body.items as Array<{ reviewId: string }>) {
        await callGate(gate, 'POST', `/v1/review/${item.reviewId}/release`, REVIEWER_TOKEN, {});
      }
      return (await operator.hget(keys.reviewItem(reviewId), 'status')) === 'dead' ? true : undefined;
    });
  }

  it('erases every listing of the seller and its own keys, keeps the list entry a reviewer made, and leaves the rest of its ring linked', async () => {
    const seller = id('seller0');
    const other = id('seller1');
    const [mine, shared] = [id('phone00'), id('phone01')];
    const [blocked, reviewed, allowed, dead] = [id('sblockd'), id('sreview'), id('sallowd'), id('sdeadit')];
    assert.equal((await check({ listingId: blocked, sellerId: seller, title: 'LV 高仿 手提包', seller: { phoneHash: mine } })).verdict, 'block');
    assert.equal((await check({ listingId: allowed, sellerId: seller, title: 'plain linen tote', seller: { phoneHash: shared } })).verdict, 'allow');
    const otherListing = { listingId: id('othrlst'), sellerId: other, title: 'plain cotton tote', seller: { phoneHash: shared } };
    assert.equal((await check(otherListing)).verdict, 'allow');
    const shop = await callGate(gate, 'POST', '/v1/check/seller', PUBLISHER_TOKEN, { sellerId: seller, businessName: 'LV official outlet' });
    assert.equal(shop.body.verdict, 'review', JSON.stringify(shop.body));
    const doomed = await check({ listingId: dead, sellerId: seller, title: 'super copy belt' });
    await bury(doomed.reviewId ?? '');
    const queued = await check({ listingId: reviewed, sellerId: seller, title: 'super copy wallet' });
    // The reviewer confirms the seller: a list entry, which the erasure keeps (policy, not the seller's data).
    await decide(queued.reviewId ?? '', 'block', { seller: true });
    const ringBefore = (await callGate(gate, 'GET', `/v1/admin/rings/${other}`, ADMIN_TOKEN)).body as { members: Array<{ sellerId: string }> };
    assert.deepEqual(ringBefore.members.map((m) => m.sellerId).sort(), [seller, other].sort(), 'the shared phone links the two sellers');
    await eventually('the other seller in a ring with a confirmed seller', async () =>
      (await callGate(gate, 'POST', '/v1/check', PUBLISHER_TOKEN, otherListing)).body.reasons.some((r: { code: string }) => r.code === 'ring')
        ? true
        : undefined,
    );

    const listings = [blocked, reviewed, allowed, dead, `shop:${seller}`];
    const needles = [seller, mine, ...listings, ...(await Promise.all(listings.map(reviewIdsOf))).flat()];
    assert.equal(needles.length, 2 + 5 + 3, 'items: the shop, the buried one, the reviewed one');
    // Policy, kept: the lists (the reviewer listed the seller), and the blocks counted per list entry.
    const policy = (key: string): boolean => key.includes('{lists}:') || key.includes('{causes}:');
    assert.ok((await tracesOf(needles, policy)).length > 10);

    const erased = await erase(`/v1/admin/sellers/${seller}/data`);
    assert.deepEqual(Object.keys(erased), [...LISTING_FAMILIES, ...SELLER_FAMILIES]);
    assert.equal(erased.listings, 5, JSON.stringify(erased));
    assert.ok((erased.deadLetters ?? 0) >= 1 && erased.ringListings === 4, JSON.stringify(erased));
    // The ring graph's set of its listings went with the listings: its own keys left were when it was seen and its attributes.
    assert.deepEqual([erased.sellerHistoryEntries, erased.ringSellerKeys, erased.ringAttributes], [1, 2, 1], JSON.stringify(erased));
    assert.deepEqual(await tracesOf(needles, policy), [], 'nothing of the seller is left outside the audit log and the lists');
    assert.equal(await operator.sismember(keys.list('sellers'), seller), 1, "the reviewer's list entry is kept");
    for (const listingId of listings)
      assert.equal((await callGate(gate, 'GET', `/v1/listings/${encodeURIComponent(listingId)}/verdict`, PUBLISHER_TOKEN)).status, 404);

    const ringAfter = (await callGate(gate, 'GET', `/v1/admin/rings/${other}`, ADMIN_TOKEN)).body as {
      members: Array<{ sellerId: string; attributes: string[] }>;
    };
    assert.deepEqual(
      ringAfter.members.map((m) => [m.sellerId, m.attributes]),
      [[other, [`phone:${shared}`]]],
      'the other seller keeps its own attribute, alone in its ring',
    );
    assert.equal((await callGate(gate, 'GET', `/v1/admin/rings/${seller}`, ADMIN_TOKEN)).status, 404, 'the gate has never seen the seller');
    // The ring was linked again without the seller: a newcomer with the other seller's phone joins it.
    const third = id('seller2');
    await check({ listingId: id('thrdlst'), sellerId: third, title: 'plain wool scarf', seller: { phoneHash: shared } });
    const ringOfThird = (await callGate(gate, 'GET', `/v1/admin/rings/${other}`, ADMIN_TOKEN)).body as { members: Array<{ sellerId: string }> };
    assert.deepEqual(ringOfThird.members.map((m) => m.sellerId).sort(), [other, third].sort(), 'the other seller is still linked to its phone');
    const unflagged = (await callGate(gate, 'POST', '/v1/check', PUBLISHER_TOKEN, otherListing)).body as { verdict: string; reasons: Array<{ code: string }> };
    assert.deepEqual([unflagged.verdict, unflagged.reasons.map((r) => r.code)], ['allow', []], 'no confirmed seller is left in its ring');
    const again = await erase(`/v1/admin/sellers/${seller}/data`);
    assert.deepEqual(again, Object.fromEntries([...LISTING_FAMILIES, ...SELLER_FAMILIES].map((family) => [family, 0])));
  });
});
