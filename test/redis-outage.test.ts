// Redis goes away: the gate keeps answering (from its in-process tables where they
// know the answer, otherwise review with reason degraded), keeps the review items
// it could not queue on local disk, and queues them once Redis is back, none lost
// and none twice.
import { strict as assert } from 'node:assert';
import { Redis } from 'ioredis';
import { it } from 'node:test';
import { redisKeys } from '../src/redis/redis-keys.js';
import { unpackCheckId } from '../src/review/allow-record.js';
import { startTestRedis } from './helpers/test-redis.js';
import { admin, REVIEWER_TOKEN, startTestGate } from './helpers/test-gate.js';

/** The reviewIds in the normal-tier stream, once all of `expected` are there (or after 15 s). */
async function queuedReviewIds(url: string, prefix: string, expected: readonly string[]): Promise<string[]> {
  const client = new Redis(url);
  const stream = redisKeys(prefix).reviewStream('normal');
  const deadline = Date.now() + 15_000;
  let ids: string[] = [];
  try {
    while (Date.now() < deadline) {
      ids = (await client.xrange(stream, '-', '+')).map(([, fields]) => fields[fields.indexOf('reviewId') + 1] ?? '');
      if (expected.every((id) => ids.includes(id))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    client.disconnect();
  }
  return ids;
}

it('spools review items while Redis is down and queues them when it returns', { timeout: 60_000 }, async () => {
  const redis = await startTestRedis();
  const gate = await startTestGate({ redisUrl: redis.url, prefix: 'outage:', env: { GATE_DEFAULT_DEADLINE_MS: '200' } });
  try {
    assert.equal((await gate.post('/v1/admin/lists/sellers', { values: ['s-listed'] }, admin())).status, 200);
    await redis.redis.stop();
    const reviewIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const response = await gate.post('/v1/check', { listingId: `O${i}`, sellerId: 's-o', title: `super copy bag ${i}` });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { verdict: string; reviewId: string; reasons: Array<{ code: string; ref: string }> };
      assert.equal(body.verdict, 'review');
      assert.ok(body.reviewId);
      assert.ok(body.reasons.some((r) => r.code === 'degraded' && r.ref === 'review-queue:spooled'));
      assert.ok(performance.now() - started < 1000, 'answered promptly while Redis is down');
      reviewIds.push(body.reviewId);
    }
    // A list change made while Redis is down is kept on disk and applied once it is back.
    const change = await gate.post('/v1/admin/lists/sellers', { values: ['s-x'] }, admin());
    assert.equal(change.status, 200);
    assert.equal(((await change.json()) as { spooled: number }).spooled, 1);
    // The in-process tables hold every listed value and flagged ring node as Redis had
    // them when it went away: a clean listing is answered from them, while a seller the
    // table may hold needs Redis to confirm it, so it is never allowed meanwhile.
    const clean = (await (await gate.post('/v1/check', { listingId: 'O-clean', sellerId: 's-o', title: 'kids building blocks' })).json()) as {
      verdict: string;
      reasons: unknown[];
    };
    assert.equal(clean.verdict, 'allow', JSON.stringify(clean));
    assert.deepEqual(clean.reasons, []);
    const listedDuring = (await (await gate.post('/v1/check', { listingId: 'O-listed', sellerId: 's-listed', title: 'kids building blocks' })).json()) as {
      verdict: string;
      reasons: Array<{ code: string; ref: string }>;
    };
    assert.notEqual(listedDuring.verdict, 'allow', JSON.stringify(listedDuring));
    assert.ok(
      listedDuring.reasons.some((r) => r.code === 'blocklist_seller' || (r.code === 'degraded' && r.ref === 'lists:unavailable')),
      JSON.stringify(listedDuring),
    );
    await redis.redis.start();
    const ids = await queuedReviewIds(redis.url, 'outage:', reviewIds);
    for (const id of reviewIds) assert.ok(ids.includes(id), `${id} was lost`);
    assert.equal(new Set(ids).size, ids.length, 'no item queued twice');
    const listed = async (): Promise<boolean> => ((await (await gate.get('/v1/admin/lists/sellers/s-x', admin())).json()) as { listed: boolean }).listed;
    const until = Date.now() + 10_000;
    while (!(await listed()) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.ok(await listed(), 'the spooled list change was applied');
  } finally {
    await gate.stop();
    await redis.stop();
  }
});

it('keeps a reviewer decision made while Redis is down and applies it when Redis returns', { timeout: 60_000 }, async () => {
  const redis = await startTestRedis();
  const gate = await startTestGate({ redisUrl: redis.url, prefix: 'decide-down:' });
  const reviewer = { authorization: `Bearer ${REVIEWER_TOKEN}` };
  try {
    const queued = (await (await gate.post('/v1/check', { listingId: 'DD1', sellerId: 's-dd', title: 'super copy bag' })).json()) as { reviewId: string };
    const claimed = (await (await gate.get('/v1/review/next?count=1', reviewer)).json()) as { items: Array<{ reviewId: string }> };
    assert.equal(claimed.items[0]?.reviewId, queued.reviewId);
    await redis.redis.stop();
    const decided = await gate.post(`/v1/review/${queued.reviewId}/decision`, { decision: 'block', note: 'decided during the outage' }, reviewer);
    assert.equal(decided.status, 200);
    assert.equal(((await decided.json()) as { spooled: boolean }).spooled, true);
    await redis.redis.start();
    const verdict = async (): Promise<string> => ((await (await gate.get('/v1/listings/DD1/verdict', admin())).json()) as { verdict: string }).verdict;
    const until = Date.now() + 15_000;
    while ((await verdict().catch(() => '')) !== 'block' && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await verdict(), 'block', 'the spooled decision was applied');
  } finally {
    await gate.stop();
    await redis.stop();
  }
});

it('gives a review id handed out during an outage a home when the same content was decided before', { timeout: 60_000 }, async () => {
  const redis = await startTestRedis();
  const gate = await startTestGate({ redisUrl: redis.url, prefix: 'decided-before:', env: { GATE_DEFAULT_DEADLINE_MS: '200' } });
  const reviewer = { authorization: `Bearer ${REVIEWER_TOKEN}` };
  const listing = { listingId: 'DB1', sellerId: 's-db', title: 'super copy bag' };
  try {
    const first = (await (await gate.post('/v1/check', listing)).json()) as { reviewId: string };
    const claimed = (await (await gate.get('/v1/review/next?count=1', reviewer)).json()) as { items: Array<{ reviewId: string }> };
    assert.equal(claimed.items[0]?.reviewId, first.reviewId);
    assert.equal((await gate.post(`/v1/review/${first.reviewId}/decision`, { decision: 'block' }, reviewer)).status, 200);
    // The same listing, unchanged, checked again while Redis is away: the gate cannot
    // see the decision, answers review and spools an item under a new id.
    await redis.redis.stop();
    const second = (await (await gate.post('/v1/check', listing)).json()) as { verdict: string; reviewId: string };
    assert.equal(second.verdict, 'review');
    assert.ok(second.reviewId && second.reviewId !== first.reviewId);
    await redis.redis.start();
    const client = new Redis(redis.url);
    try {
      const item = async (): Promise<Record<string, string>> => client.hgetall(redisKeys('decided-before:').reviewItem(second.reviewId));
      const until = Date.now() + 15_000;
      while ((await item().catch(() => ({}) as Record<string, string>)).status === undefined && Date.now() < until)
        await new Promise((r) => setTimeout(r, 100));
      const replayed = await item();
      assert.equal(replayed.status, 'decided', 'the spooled item was recorded, as decided');
      assert.equal(replayed.decision, 'block');
      assert.equal(replayed.decidedBy, 'earlier-decision');
      // The listing's verdict follows the earlier decision, under the id its caller was given.
      const verdict = async (): Promise<{ verdict?: string; reviewId?: string }> =>
        (await (await gate.get('/v1/listings/DB1/verdict', admin())).json()) as { verdict?: string; reviewId?: string };
      while ((await verdict()).reviewId !== second.reviewId && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      const final = await verdict();
      assert.equal(final.reviewId, second.reviewId);
      assert.equal(final.verdict, 'block');
    } finally {
      client.disconnect();
    }
  } finally {
    await gate.stop();
    await redis.stop();
  }
});

it('answers within the deadline while Redis is frozen (SIGSTOP), and loses no review item', { timeout: 60_000 }, async () => {
  const redis = await startTestRedis();
  const gate = await startTestGate({ redisUrl: redis.url, prefix: 'frozen:' });
  try {
    await gate.post('/v1/check', { listingId: 'W0', sellerId: 's-w', title: 'warm up' });
    redis.redis.pause();
    const reviewIds: string[] = [];
    const checkIds = new Map<string, string>();
    let slowest = 0;
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const response = await gate.post('/v1/check', { listingId: `F${i}`, sellerId: `s-f${i}`, title: `super copy bag ${i}` }, { 'x-deadline-ms': '50' });
      slowest = Math.max(slowest, performance.now() - started);
      const body = (await response.json()) as { verdict: string; reviewId: string; checkId: string };
      assert.equal(body.verdict, 'review');
      reviewIds.push(body.reviewId);
      checkIds.set(body.reviewId, body.checkId);
    }
    assert.ok(slowest < 50 + 150, `the slowest answer took ${slowest.toFixed(0)} ms with a 50 ms deadline`);
    // The shop-opening check keeps the same promise: in time, never a silent allow.
    const started = performance.now();
    const shop = await gate.post('/v1/check/seller', { sellerId: 's-new-shop', businessName: 'Plain Goods' }, { 'x-deadline-ms': '50' });
    const shopTook = performance.now() - started;
    const shopBody = (await shop.json()) as { verdict: string; reviewId: string; reasons: Array<{ code: string; ref: string }> };
    // The lists are answered by the in-process table of listed values (loaded before the
    // freeze); the ring cannot be, so the shop goes to review rather than being allowed.
    assert.equal(shopBody.verdict, 'review');
    assert.ok(
      shopBody.reasons.some((r) => r.code === 'degraded' && r.ref === 'ring:deadline'),
      JSON.stringify(shopBody.reasons),
    );
    assert.ok(shopTook < 50 + 150, `the shop check took ${shopTook.toFixed(0)} ms with a 50 ms deadline`);
    reviewIds.push(shopBody.reviewId);
    redis.redis.resume();
    const ids = await queuedReviewIds(redis.url, 'frozen:', reviewIds);
    for (const id of reviewIds) assert.ok(ids.includes(id), `${id} was lost`);
    assert.equal(new Set(ids).size, ids.length, 'no item queued twice');
    // Whichever write made the item (a check thread's late one, the event loop's, the spool's replay), it names the answered check.
    const operator = new Redis(redis.adminUrl);
    try {
      for (const [reviewId, checkId] of checkIds) {
        const stored = await operator.hget(`${redisKeys('frozen:').reviewItemPrefix}${reviewId}`, 'checkId');
        assert.equal(unpackCheckId(stored ?? ''), checkId, reviewId);
      }
    } finally {
      operator.disconnect();
    }
  } finally {
    redis.redis.resume();
    await gate.stop();
    await redis.stop();
  }
});

it('puts a review item that comes while the spool replays behind the spooled ones, and queues it with them', { timeout: 90_000 }, async () => {
  const redis = await startTestRedis();
  const gate = await startTestGate({ redisUrl: redis.url, prefix: 'replaying:', env: { GATE_DEFAULT_DEADLINE_MS: '200' } });
  const metric = async (name: string): Promise<number> => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await gate.get('/metrics')).text())?.[1]);
  try {
    await redis.redis.stop();
    const spooled: string[] = [];
    for (let i = 0; i < 600; i++) {
      const body = (await (await gate.post('/v1/check', { listingId: `RP${i}`, sellerId: 's-rp', title: `super copy bag ${i}` })).json()) as {
        reviewId: string;
      };
      spooled.push(body.reviewId);
    }
    await redis.redis.start();
    const until = Date.now() + 20_000;
    while ((await metric('gate_review_spool_replaying')) !== 1) {
      assert.ok(Date.now() < until, 'the replay started');
      await new Promise((r) => setTimeout(r, 5));
    }
    const started = performance.now();
    const during = (await (await gate.post('/v1/check', { listingId: 'RP-during', sellerId: 's-rp', title: 'super copy wallet' })).json()) as {
      verdict: string;
      reviewId: string;
      reasons: Array<{ code: string; ref: string }>;
    };
    const took = performance.now() - started;
    assert.equal(during.verdict, 'review');
    assert.ok(
      during.reasons.some((r) => r.code === 'degraded' && r.ref === 'review-queue:spooled'),
      JSON.stringify(during),
    );
    assert.ok(took < 150, `answered without waiting on Redis (${took.toFixed(0)} ms)`);
    const queued = await queuedReviewIds(redis.url, 'replaying:', [...spooled, during.reviewId]);
    assert.ok(
      [...spooled, during.reviewId].every((id) => queued.includes(id)),
      'every spooled item and the one that came during the replay are queued',
    );
    assert.ok(queued.indexOf(during.reviewId) > queued.indexOf(spooled[spooled.length - 1] ?? ''), 'it is queued behind those spooled before it');
  } finally {
    await gate.stop();
    await redis.stop();
  }
});
