// Issue 23, point 6: an admin erases a listing, and nothing of it is left in Redis
// but the audit record of the erasure. Real gate,
// real Redis, real reviewers', rights holders', sellers' and reporters' calls, a
// webhook receiver that never takes an event (so they wait in the outbox) and the
// Redis Streams intake; every key of the Redis read whole (test/helpers/find-traces.ts).
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { LISTING_FAMILIES } from '../src/erasure/erased-families.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { callGate, eventually } from './helpers/gate-calls.js';
import { findTraces, isAuditKey } from './helpers/find-traces.js';
import { addEntries, verdictsOf } from './helpers/intake-streams.js';
import { ADMIN_TOKEN, PUBLISHER_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

const HOLDER = 'erasure-holder-token-0123456789';
const CLAIM = { registrationNumber: 'TM-ER-1', jurisdiction: 'cn', classes: [18], evidence: ['docs://er/cert.pdf'], validFrom: '2020-01-01', validUntil: '2099-12-31' };
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
  return operator.hkeys(keys.reviewItemsOfPrefix + listingId);
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
    assert.equal((await callGate(gate, 'POST', '/v1/reports', PUBLISHER_TOKEN, { listingId: blocked, reporterId: id('reporter'), reason: 'fake' })).status, 200);
    const appeal = await callGate(gate, 'POST', `/v1/listings/${blocked}/appeal`, PUBLISHER_TOKEN, { sellerId: sellerOf(blocked), reason: 'genuine' });
    assert.equal(appeal.status, 200, JSON.stringify(appeal.body));
    // Reviewed: a reviewer blocks it (the webhook event waits in the outbox).
    const queued = await check({ listingId: reviewed, sellerId: sellerOf(reviewed), title: 'super copy handbag' });
    assert.equal(queued.verdict, 'review');
    await decide(queued.reviewId ?? '', 'block');
    // Allowed, through the intake stream.
    const [entry] = await addEntries(operator, intakeStream, [{ listing: JSON.stringify({ listingId: allowed, sellerId: sellerOf(allowed), title: 'plain cotton tote' }) }]);
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
    await eventually('the complaint upheld', async () => ((await holder('GET', `/v1/rights-holder/complaints/${complaint.complaintId}`)).body.status === 'upheld' ? true : undefined));

    const listings = [blocked, reviewed, allowed, complained];
    const needles = [...listings, ...(await Promise.all(listings.map(reviewIdsOf))).flat(), appeal.body.appeal.appealId as string, complaint.complaintId];
    assert.equal(needles.length, 4 + 4 + 2, 'items: the report and the appeal, the review, the complaint');
    const before = await tracesOf(needles);
    for (const family of ['{verdicts:', '{review}:stream:', '{review}:decisions', '{webhook}:outbox', '{complaints}:', '{appeals}:', '{reports}:', '{seller:', '{rings}:listings:', ':verdicts']) {
      assert.ok(before.some((trace) => trace.includes(family)), `before the erasure, a trace in ${family}: the search finds it`);
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
    assert.ok(at(reviewed, 'decisionEntries') >= 1 && at(reviewed, 'webhookEvents') >= 1 && at(reviewed, 'sellerHistoryEntries') === 1, JSON.stringify(erased.get(reviewed)));
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
    const audit = (await callGate(gate, 'GET', '/v1/admin/audit?count=1000', ADMIN_TOKEN)).body.records as Array<{ record?: { what: string; subject?: string } }>;
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
    assert.equal((await callGate(gate, 'DELETE', listing, REVIEWER_TOKEN)).status, 403);
    const long = await callGate(gate, 'DELETE', `/v1/admin/listings/${'x'.repeat(129)}`, ADMIN_TOKEN);
    assert.deepEqual([long.status, long.body.error.code, long.body.error.field], [400, 'GATE_ERR_INVALID_FIELD', 'listingId']);
    const torn = await callGate(gate, 'DELETE', '/v1/admin/listings/%E0%A4%A', ADMIN_TOKEN);
    assert.deepEqual([torn.status, torn.body.error.code, torn.body.error.field], [400, 'GATE_ERR_INVALID_FIELD', 'path']);
    for (const [method, path] of [['GET', listing], ['POST', listing]] as const) {
      const wrong = await callGate(gate, method, path, ADMIN_TOKEN, method === 'POST' ? {} : undefined);
      assert.deepEqual([wrong.status, wrong.body.error.code], [405, 'GATE_ERR_METHOD_NOT_ALLOWED'], `${method} ${path}`);
    }
    assert.deepEqual(await erase(`/v1/admin/listings/${encodeURIComponent('never/seen listing')}`), Object.fromEntries(LISTING_FAMILIES.map((family) => [family, 0])));
  });
});
