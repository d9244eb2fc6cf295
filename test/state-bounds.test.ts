// Issue 23, "every key has an end": the families docs/redis-keys.md listed as not
// yet bounded, each shown to get its TTL or bound on a real Redis (and a real gate
// where people's calls write them), what a person still needs kept meanwhile.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ReviewQueue } from '../src/review/review-queue.js';
import { DeadItemLapse } from '../src/review/dead-item-lapse.js';
import { ListingVerdicts } from '../src/review/listing-verdicts.js';
import { ReportDesk } from '../src/reports/report-desk.js';
import { freePort } from '../src/redis/embedded-redis.js';
import { redisSuite } from './helpers/redis-suite.js';
import { callGate, eventually } from './helpers/gate-calls.js';
import { gateFixture } from './helpers/gate-fixture.js';
import { ADMIN_TOKEN, PUBLISHER_TOKEN, REVIEWER_TOKEN } from './helpers/test-gate.js';
import { reviewItemOf } from './helpers/review-item.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('review queue state', () => {
  const suite = redisSuite();

  it('keeps GATE_REVIEW_DEAD_MAXLEN dead letters, the newest, and lapses the items of the others: none is left dead with no end', async () => {
    const keys = redisKeys('dead:');
    const queue = new ReviewQueue(suite.client, keys, { leaseMs: 20, maxDeliveries: 1, deadMaxLen: 100, retentionSeconds: 3600 });
    await queue.ensureGroups();
    const items = Array.from({ length: 250 }, (_, i) => reviewItemOf(`DL${i}`));
    for (const item of items) await queue.enqueue(item);
    assert.equal((await queue.claim('walked-away', 250)).length, 250);
    await sleep(50);
    assert.deepEqual(await queue.claim('next', 250), [], 'every item was delivered once too often');
    assert.equal(await suite.operator.xlen(keys.reviewDeadLetters), 250, 'burying trims nothing');
    const job = new DeadItemLapse({ redis: suite.client, keys, lapseAfterMs: 30 * 86_400_000, retentionSeconds: 3600, maxLetters: 100 });
    const lapsed = await job.run();
    assert.equal(lapsed.length, 150, 'the items past the cap lapse, within their window');
    assert.equal(await suite.operator.xlen(keys.reviewDeadLetters), 100);
    const reviewIdOfLast = async (stream: string): Promise<string | undefined> => {
      const [[, fields] = ['', []]] = await suite.operator.xrevrange(stream, '+', '-', 'COUNT', 1);
      return fields[fields.indexOf('reviewId') + 1];
    };
    assert.equal(await reviewIdOfLast(keys.reviewDeadLetters), await reviewIdOfLast(keys.reviewStream('normal')), 'the newest dead letter is kept');
    for (const { reviewId } of lapsed) {
      assert.equal(await suite.operator.hget(keys.reviewItem(reviewId), 'status'), 'lapsed');
      const ttl = await suite.operator.ttl(keys.reviewItem(reviewId));
      assert.ok(ttl > 3500 && ttl <= 3600, `${reviewId}: TTL ${ttl}`);
    }
    assert.deepEqual(await job.run(), [], 'at the cap, nothing more lapses');
  });

  it('gives an alias of a replayed item the life of the item it names, and an item recorded as decided the window', async () => {
    const keys = redisKeys('alias:');
    const queue = new ReviewQueue(suite.client, keys, { retentionSeconds: 3600 });
    await queue.ensureGroups();
    const ttl = (reviewId: string): Promise<number> => suite.operator.ttl(keys.reviewItem(reviewId));
    const windowed = async (reviewId: string): Promise<void> => {
      const left = await ttl(reviewId);
      assert.ok(left > 3500 && left <= 3600, `${reviewId}: TTL ${left}`);
    };
    // Two items of a listing (its content changed), each with an alias a spooled caller was told.
    const first = reviewItemOf('AL1', 'replica bag first');
    const second = reviewItemOf('AL1', 'replica bag second');
    const [x, y] = [await queue.enqueue(first), await queue.enqueue(second)];
    assert.ok(x.kind === 'queued' && y.kind === 'queued');
    assert.deepEqual(await queue.replaySpooled({ ...first, reviewId: 'rv_alias-of-x' }), { kind: 'queued', reviewId: x.reviewId, created: false });
    assert.deepEqual(await queue.replaySpooled({ ...second, reviewId: 'rv_alias-of-y' }), { kind: 'queued', reviewId: y.reviewId, created: false });
    for (const id of [x.reviewId, 'rv_alias-of-x', 'rv_alias-of-y']) assert.equal(await ttl(id), -1, `${id} has no end while its item is open`);

    // Deciding x (through its alias, as its caller would) closes y too: both aliases get the window.
    assert.ok((await queue.claim('r', 5)).some((item) => item.reviewId === x.reviewId));
    await queue.decide({ reviewId: 'rv_alias-of-x', reviewer: 'r', decision: 'block' });
    for (const id of [x.reviewId, y.reviewId, 'rv_alias-of-x', 'rv_alias-of-y']) await windowed(id);
    assert.equal(await queue.resolve('rv_alias-of-x'), x.reviewId);

    // An undo opens x again, and its alias lives as long as it does.
    await queue.undo('rv_alias-of-x', 'r');
    assert.equal(await ttl(x.reviewId), -1);
    assert.equal(await ttl('rv_alias-of-x'), -1, 'the alias of an item open again has no end');
    await windowed('rv_alias-of-y');

    // Content decided before its spooled item came back: that item is recorded as decided, for the window.
    assert.ok((await queue.claim('r', 5)).some((item) => item.reviewId === x.reviewId));
    await queue.decide({ reviewId: x.reviewId, reviewer: 'r', decision: 'block' });
    const late = await queue.replaySpooled({ ...first, reviewId: 'rv_late-of-x' });
    assert.deepEqual(late, { kind: 'decided', decision: 'block' });
    assert.equal(await suite.operator.hget(keys.reviewItem('rv_late-of-x'), 'decidedBy'), 'earlier-decision');
    await windowed('rv_late-of-x');

    // An alias made of an item already closed (here gone to the dead letters) gets the window at once.
    const dying = new ReviewQueue(suite.client, keys, { retentionSeconds: 3600, leaseMs: 20, maxDeliveries: 1 });
    const third = reviewItemOf('AL2');
    const z = await queue.enqueue(third);
    assert.ok(z.kind === 'queued');
    assert.ok((await dying.claim('walked-away', 5)).some((item) => item.reviewId === z.reviewId));
    await sleep(50);
    await dying.claim('next', 5);
    assert.equal(await suite.operator.hget(keys.reviewItem(z.reviewId), 'status'), 'dead');
    assert.deepEqual(await queue.replaySpooled({ ...third, reviewId: 'rv_alias-of-z' }), { kind: 'queued', reviewId: z.reviewId, created: false });
    await windowed('rv_alias-of-z');
  });

  it('leaves no reporters of a listing when its report item could not be queued', async () => {
    const keys = redisKeys('report:');
    const verdicts = new ListingVerdicts(suite.client, keys);
    const listing = { listingId: 'RP1', sellerId: 's-rp1', title: 'LV replica bag' };
    await verdicts.record({ listingId: 'RP1', verdict: 'block', decidedBy: 'gate', decidedAt: new Date().toISOString(), reasons: [] }, listing);
    // The review queue's Redis is away (nothing listens there), the reports' is not.
    const away = new Redis({ port: await freePort(), lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    try {
      const desk = new ReportDesk(suite.client, keys, verdicts, new ReviewQueue(away, keys), { perReporter: 10, windowSeconds: 60, escalateAt: 3 });
      await assert.rejects(desk.file('RP1', 'buyer-1', 'fake'), /enableOfflineQueue/, 'the item could not be queued');
      assert.equal(await suite.operator.exists(keys.listingReporters('RP1'), keys.openReport('RP1')), 0);
    } finally {
      away.disconnect();
    }
  });
});

describe('complaints, appeals and reports', () => {
  const HOLDER = 'bounds-holder-token-0123456789';
  const DAY = 86_400;
  const fixture = gateFixture({
    publisherTokens: true,
    env: {
      GATE_RIGHTS_HOLDER_TOKENS: `acme:${HOLDER}`,
      GATE_RETENTION_DAYS: '1',
      // One upheld complaint makes the holder trusted (takedowns).
      GATE_TRUST_MIN_DECIDED: '1',
      // Items are claimed and given back while others are decided: none may go to the dead letters.
      GATE_REVIEW_MAX_DELIVERIES: '1000',
    },
  });
  let operator: Redis;
  before(async () => {
    operator = new Redis(fixture.redis.adminUrl);
    const claim = {
      registrationNumber: 'TM-B-1',
      jurisdiction: 'cn',
      classes: [18],
      evidence: ['docs://b/cert.pdf'],
      validFrom: '2020-01-01',
      validUntil: '2099-12-31',
    };
    assert.equal((await holder('PUT', '/v1/rights-holder/brands/boundmark', { names: ['Boundmark'], categories: ['bags'] })).status, 200);
    assert.equal((await holder('PUT', '/v1/rights-holder/brands/boundmark/claim', claim)).status, 200);
    assert.equal((await callGate(fixture.gate, 'POST', '/v1/admin/claims/acme/boundmark', ADMIN_TOKEN, { decision: 'verify' })).status, 200);
  });
  after(() => operator?.disconnect());

  const keys = (): ReturnType<typeof redisKeys> => redisKeys(fixture.gate.prefix);
  const holder = (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => callGate(fixture.gate, method, path, HOLDER, body);
  const publisher = (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> =>
    callGate(fixture.gate, method, path, PUBLISHER_TOKEN, body);
  const reviewer = (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> =>
    callGate(fixture.gate, method, path, REVIEWER_TOKEN, body);
  const windowed = async (key: string): Promise<void> => {
    const left = await operator.ttl(key);
    assert.ok(left > DAY - 100 && left <= DAY, `${key}: TTL ${left}`);
  };
  let seq = 0;
  async function checked(title: string): Promise<{ listingId: string; sellerId: string; verdict: string }> {
    const listing = { listingId: `B-${++seq}-${randomUUID().slice(0, 6)}`, sellerId: `s-bounds-${seq}`, title };
    const answer = await publisher('POST', '/v1/check', listing);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return { ...listing, verdict: answer.body.verdict as string };
  }
  async function complain(listingId: string): Promise<{ complaintId: string; reviewId: string; status: string }> {
    const filed = await holder('POST', '/v1/rights-holder/complaints', { brandId: 'boundmark', reason: 'counterfeit', listingIds: [listingId] });
    assert.equal(filed.status, 200, JSON.stringify(filed.body));
    return filed.body.results[0].complaint;
  }
  /** Claims until `reviewId` comes up (giving the others back) and decides it. */
  async function decide(reviewId: string, decision: 'block' | 'allow'): Promise<void> {
    await eventually(`review item ${reviewId}`, async () => {
      const claimed = (await reviewer('GET', '/v1/review/next?count=50')).body.items as Array<{ reviewId: string }>;
      const found = claimed.find((item) => item.reviewId === reviewId);
      for (const other of claimed) if (other !== found) await reviewer('POST', `/v1/review/${other.reviewId}/release`, {});
      return found;
    });
    const result = await reviewer('POST', `/v1/review/${reviewId}/decision`, { decision });
    assert.equal(result.status, 200, JSON.stringify(result.body));
  }
  const complaintStatus = async (complaintId: string, status: string): Promise<void> => {
    await eventually(`complaint ${complaintId} ${status}`, async () =>
      (await holder('GET', `/v1/rights-holder/complaints/${complaintId}`)).body.status === status ? true : undefined,
    );
  };

  it("keeps a complaint while it is open and the window once settled; the holder's index drops those expired", async () => {
    const listing = await checked('plain canvas tote');
    const complaint = await complain(listing.listingId);
    const [item, index, open] = [keys().complaint(complaint.complaintId), keys().holderComplaints('acme'), keys().openComplaint('acme', listing.listingId)];
    assert.deepEqual([await operator.ttl(item), await operator.ttl(open), await operator.get(open)], [-1, -1, complaint.complaintId], 'open: no end');

    await decide(complaint.reviewId, 'block');
    await complaintStatus(complaint.complaintId, 'upheld');
    await windowed(item);
    assert.equal(await operator.exists(open), 0, 'settled: no longer the open complaint on the listing');
    assert.notEqual(await operator.zscore(index, complaint.complaintId), null);

    // An undo opens it again: no end, and the open complaint again; decided again, the window again.
    assert.equal((await reviewer('POST', `/v1/review/${complaint.reviewId}/undo`, {})).status, 200);
    await complaintStatus(complaint.complaintId, 'pending');
    assert.deepEqual([await operator.ttl(item), await operator.get(open)], [-1, complaint.complaintId]);
    await decide(complaint.reviewId, 'block');
    await complaintStatus(complaint.complaintId, 'upheld');
    await windowed(item);

    // Filed before the window: one expired leaves the index at the holder's next write, one still kept stays.
    const old = Date.now() - 2 * DAY * 1000;
    await operator.zadd(index, old, 'cp_expired', old + 1, 'cp_still-kept');
    await operator.set(keys().complaint('cp_still-kept'), JSON.stringify({ complaintId: 'cp_still-kept', holder: 'acme', status: 'pending' }));
    await complain((await checked('plain linen tote')).listingId);
    assert.equal(await operator.zscore(index, 'cp_expired'), null, 'an expired complaint leaves the index');
    assert.notEqual(await operator.zscore(index, 'cp_still-kept'), null, 'one still kept stays listed');
    assert.notEqual(await operator.zscore(index, complaint.complaintId), null);
    await operator.del(keys().complaint('cp_still-kept'));
    await operator.zrem(index, 'cp_still-kept');
  });

  it('settles a takedown whose appeal is upheld, and keeps both the window; an undone appeal is pending again, with no end', async () => {
    // One upheld complaint makes the holder trusted with takedowns.
    const earlier = await complain((await checked('plain denim tote')).listingId);
    await decide(earlier.reviewId, 'block');
    await complaintStatus(earlier.complaintId, 'upheld');
    assert.equal((await holder('GET', '/v1/rights-holder/trust')).body.tier, 'trusted');
    const listing = await checked('plain cotton shopper');
    const complaint = await complain(listing.listingId);
    assert.equal(complaint.status, 'taken_down');
    const appealed = await publisher('POST', `/v1/listings/${listing.listingId}/appeal`, { sellerId: listing.sellerId, reason: 'genuine' });
    assert.equal(appealed.status, 200, JSON.stringify(appealed.body));
    const appeal = appealed.body.appeal as { appealId: string; reviewId: string; blockedAt: string };
    const [appealKey, byBlock] = [keys().appeal(appeal.appealId), keys().listingAppeal(listing.listingId, appeal.blockedAt)];
    assert.deepEqual([await operator.ttl(appealKey), await operator.ttl(byBlock)], [-1, -1], 'pending: no end');

    // The reviewer keeps the block: the appeal is upheld, and the takedown's complaint with it.
    await decide(appeal.reviewId, 'block');
    await eventually('appeal upheld', async () => ((await publisher('GET', `/v1/appeals/${appeal.appealId}`)).body.status === 'upheld' ? true : undefined));
    await complaintStatus(complaint.complaintId, 'upheld');
    for (const key of [appealKey, byBlock, keys().complaint(complaint.complaintId)]) await windowed(key);
    assert.equal(await operator.exists(keys().openComplaint('acme', listing.listingId)), 0);

    assert.equal((await reviewer('POST', `/v1/review/${appeal.reviewId}/undo`, {})).status, 200);
    await eventually('appeal pending', async () => ((await publisher('GET', `/v1/appeals/${appeal.appealId}`)).body.status === 'pending' ? true : undefined));
    assert.deepEqual([await operator.ttl(appealKey), await operator.ttl(byBlock)], [-1, -1], 'pending again: no end');
  });

  it("keeps a listing's reporters while its report item is open, and drops them when a decision closes it", async () => {
    const report = (listingId: string, reporterId: string): Promise<{ status: number; body: any }> =>
      publisher('POST', '/v1/reports', { listingId, reporterId, reason: 'fake' });
    const decided = await checked('plain jute bag');
    const first = await report(decided.listingId, 'buyer-1');
    assert.equal((await report(decided.listingId, 'buyer-2')).body.reporters, 2);
    const [open, reporters] = [keys().openReport(decided.listingId), keys().listingReporters(decided.listingId)];
    assert.deepEqual([await operator.get(open), await operator.scard(reporters), await operator.ttl(reporters)], [first.body.reviewId, 2, -1]);
    await decide(first.body.reviewId, 'allow');
    await eventually('report keys dropped', async () => ((await operator.exists(open, reporters)) === 0 ? true : undefined));

    // Closed by a decision on another item of the listing (its complaint's).
    const closed = await checked('plain straw bag');
    await report(closed.listingId, 'buyer-3');
    const complaint = await complain(closed.listingId);
    await decide(complaint.reviewId, 'block');
    const [closedOpen, closedReporters] = [keys().openReport(closed.listingId), keys().listingReporters(closed.listingId)];
    await eventually('report keys of the closed item dropped', async () => ((await operator.exists(closedOpen, closedReporters)) === 0 ? true : undefined));
  });
});
