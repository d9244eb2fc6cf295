// The review queue and reviewer API on real gates and a real Redis: exclusive
// claims, leases that return an item, decisions that act on every instance,
// verdicts, undo, bulk, dead letters, audit, webhooks and QA sampling.
import { strict as assert } from 'node:assert';
import { createServer, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { verifyWebhook } from '../src/webhook/standard-webhook.js';
import { Redis } from 'ioredis';
import { freePort } from '../src/redis/embedded-redis.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { admin, startTestGate, type TestGate } from './helpers/test-gate.js';
import { unpackClusterKeys } from '../src/review/review-cluster.js';

const ALICE = 'alice:alice-reviewer-token-0123456789';
const BOB = 'bob:bob-reviewer-token-0123456789';
const as = (entry: string): Record<string, string> => ({ authorization: `Bearer ${entry.slice(entry.indexOf(':') + 1)}` });

interface Claimed {
  reviewId: string;
  listingId: string;
  sellerId: string;
  reasons: Array<{ code: string }>;
  deliveries: number;
  listing: Record<string, unknown> | null;
}

async function claim(gate: TestGate, who: string, count = 1): Promise<Claimed[]> {
  const response = await gate.get(`/v1/review/next?count=${count}`, as(who));
  assert.equal(response.status, 200);
  return ((await response.json()) as { items: Claimed[] }).items;
}

async function decide(gate: TestGate, who: string, reviewId: string, body: unknown): Promise<Response> {
  return gate.post(`/v1/review/${reviewId}/decision`, body, as(who));
}

async function check(gate: TestGate, listing: Record<string, unknown>): Promise<{ verdict: string; reviewId?: string }> {
  return (await (await gate.post('/v1/check', listing)).json()) as { verdict: string; reviewId?: string };
}

const suspicious = (i: number, sellerId = `s-${i}`): Record<string, unknown> => ({ listingId: `R${i}`, sellerId, title: `top grade replica handbag no.${i}` });

describe('review queue', () => {
  let redis: TestRedis;
  let a: TestGate;
  let b: TestGate;
  const hooks: Array<{ body: string; headers: IncomingMessage['headers'] }> = [];
  let hookFailuresLeft = 2;
  const hookServer = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (hookFailuresLeft > 0) {
        hookFailuresLeft--;
        res.writeHead(500).end();
        return;
      }
      hooks.push({ body, headers: req.headers });
      res.writeHead(204).end();
    });
  });

  before(async () => {
    redis = await startTestRedis();
    const hookPort = await freePort();
    await new Promise<void>((r) => hookServer.listen(hookPort, '127.0.0.1', r));
    const env = {
      GATE_REVIEWER_TOKENS: `${ALICE},${BOB}`,
      GATE_REVIEW_LEASE_MS: '400',
      GATE_REVIEW_UNDO_MS: '60000',
      GATE_REVIEW_MAX_DELIVERIES: '3',
      GATE_WEBHOOK_URL: `http://127.0.0.1:${hookPort}/hook`,
      GATE_WEBHOOK_SECRET: 'webhook-secret-0123456789',
    };
    a = await startTestGate({ redisUrl: redis.url, prefix: 'rq:', env });
    b = await startTestGate({ redisUrl: redis.url, prefix: 'rq:', env });
  });
  after(async () => {
    await a.stop();
    await b.stop();
    hookServer.close();
    await redis.stop();
  });

  it('never hands one item to two reviewers', async () => {
    for (let i = 0; i < 40; i++) assert.equal((await check(a, suspicious(i))).verdict, 'review');
    const seen = new Map<string, string>();
    const drain = async (gate: TestGate, who: string): Promise<void> => {
      for (;;) {
        const items = await claim(gate, who, 3);
        if (items.length === 0) return;
        for (const item of items) {
          assert.equal(seen.get(item.reviewId), undefined, `${item.reviewId} went to ${seen.get(item.reviewId)} and ${who}`);
          seen.set(item.reviewId, who);
          assert.equal((await decide(gate, who, item.reviewId, { decision: 'allow' })).status, 200);
        }
      }
    };
    await Promise.all([drain(a, ALICE), drain(b, BOB)]);
    assert.equal(seen.size, 40);
    assert.ok([...seen.values()].includes(ALICE) && [...seen.values()].includes(BOB), 'both reviewers got work');
  });

  it('returns an item whose reviewer went away once the lease runs out', async () => {
    await check(a, suspicious(100));
    const [item] = await claim(a, ALICE);
    assert.ok(item);
    assert.deepEqual(await claim(b, BOB), [], 'claimed items are not handed out while the lease runs');
    await new Promise((r) => setTimeout(r, 500));
    const [again] = await claim(b, BOB);
    assert.equal(again?.reviewId, item.reviewId);
    assert.equal(again?.deliveries, 2);
    const late = await decide(a, ALICE, item.reviewId, { decision: 'block' });
    assert.equal(late.status, 409);
    assert.equal((await decide(b, BOB, item.reviewId, { decision: 'allow' })).status, 200);
  });

  it('blocks the seller on every instance within 1 s when a reviewer confirms it, and sets the final verdict', async () => {
    const first = await check(a, suspicious(200, 's-confirmed-fake'));
    const [item] = await claim(a, ALICE);
    assert.equal(item?.reviewId, first.reviewId);
    // The answering instance (a) writes its record within 5 ms, gathered with others'.
    let verdictBefore: { verdict?: string } = {};
    const visibleBy = Date.now() + 200;
    while (verdictBefore.verdict === undefined && Date.now() < visibleBy) {
      verdictBefore = (await (await b.get('/v1/listings/R200/verdict')).json()) as { verdict?: string };
      if (verdictBefore.verdict === undefined) await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(verdictBefore.verdict, 'review', 'the record reached the other instance within 200 ms');
    assert.equal((await decide(a, ALICE, item?.reviewId ?? '', { decision: 'block', note: 'fake', confirm: { seller: true } })).status, 200);
    const started = performance.now();
    let verdict = '';
    while (performance.now() - started < 1000 && verdict !== 'block') {
      verdict = (await check(b, { listingId: 'R201', sellerId: 's-confirmed-fake', title: 'plain cotton shirt' })).verdict;
    }
    assert.equal(verdict, 'block', 'the next listing of the seller is blocked on the other instance within 1 s');
    const final = (await (await b.get('/v1/listings/R200/verdict')).json()) as { verdict: string; decidedBy: string; reviewId: string };
    assert.deepEqual([final.verdict, final.decidedBy, final.reviewId], ['block', 'reviewer:alice', item?.reviewId]);
  });

  it('does not send content a reviewer allowed to review again, and undo reverts a decision', async () => {
    const listing = suspicious(300, 's-undo');
    const queued = await check(a, listing);
    const [item] = await claim(a, ALICE);
    assert.equal((await decide(a, ALICE, item?.reviewId ?? '', { decision: 'allow' })).status, 200);
    const again = await check(b, listing);
    assert.equal(again.verdict, 'allow');
    assert.equal(again.reviewId, undefined);

    const other = await check(a, suspicious(301, 's-undo-2'));
    const [second] = await claim(a, ALICE);
    assert.equal(second?.reviewId, other.reviewId);
    await decide(a, ALICE, second?.reviewId ?? '', { decision: 'block', confirm: { seller: true } });
    // A decided item (and the keys that find it by content and by listing) is kept for the retention window, an undone one for good.
    const operator = new Redis(redis.adminUrl);
    const itemTtl = async (): Promise<[number, number, number]> => {
      const [listingId, contentHash] = await operator.hmget(`rq:{review}:item:${second?.reviewId}`, 'listingId', 'contentHash');
      const dedupeKey = `rq:{review}:dedupe:${listingId}:${contentHash}`;
      assert.notEqual(await operator.zscore(`rq:{review}:open:${listingId}`, second?.reviewId ?? ''), null, "the listing's items index names the item");
      return [await operator.ttl(`rq:{review}:item:${second?.reviewId}`), await operator.ttl(dedupeKey), await operator.ttl(`rq:{review}:open:${listingId}`)];
    };
    const [decidedItemTtl, decidedDedupeTtl, decidedIndexTtl] = await itemTtl();
    assert.ok(
      decidedItemTtl > 179 * 86_400 && decidedDedupeTtl > 179 * 86_400 && decidedIndexTtl >= decidedItemTtl,
      `a decided item expires: ${decidedItemTtl}, ${decidedDedupeTtl}, ${decidedIndexTtl}`,
    );
    assert.equal((await check(b, { listingId: 'X', sellerId: 's-undo-2', title: 'plain shirt' })).verdict, 'block');
    assert.equal((await b.post(`/v1/review/${second?.reviewId}/undo`, {}, as(BOB))).status, 409, 'only the reviewer who decided may undo');
    assert.equal((await a.post(`/v1/review/${second?.reviewId}/undo`, {}, as(ALICE))).status, 200);
    assert.equal(((await (await a.get('/v1/listings/R301/verdict')).json()) as { verdict: string }).verdict, 'review');
    assert.equal(
      (await check(b, { listingId: 'X2', sellerId: 's-undo-2', title: 'plain shirt' })).verdict,
      'allow',
      'the seller the decision listed is unlisted',
    );
    const [back] = await claim(b, BOB);
    assert.equal(back?.reviewId, second?.reviewId, 'the item is back in the queue');
    assert.deepEqual(await itemTtl(), [-1, -1, -1], 'an item pending again does not expire');
    operator.disconnect();
    await decide(b, BOB, back?.reviewId ?? '', { decision: 'allow' });
    void queued;
  });

  it('shows near-duplicate pending items as one cluster and decides them together', async () => {
    const text = 'same factory as the mall boutique, full set with box dust bag and receipt, message me for wholesale price';
    await check(a, { listingId: 'C1', sellerId: 's-c1', title: 'replica bag', description: `${text}, lot 1111` });
    await check(a, { listingId: 'C2', sellerId: 's-c2', title: 'replica bag', description: `lot 2222: ${text}` });
    await check(a, { listingId: 'C3', sellerId: 's-c3', title: 'replica watch', images: [{ phash: 'abcdefabcdefabcd' }] });
    await check(a, { listingId: 'C4', sellerId: 's-c4', title: 'super copy shoes', images: [{ phash: 'abcdefabcdefabcd' }] });
    await check(a, { listingId: 'C5', sellerId: 's-c5', title: 'replica scarf, unrelated text entirely' });
    const [first] = (await claim(a, ALICE)) as Array<Claimed & { cluster: string[] }>;
    assert.equal(first?.listingId, 'C1');
    assert.equal(first?.cluster.length, 1, 'C2 is its near-duplicate; C5 is not');
    const decided = (await (await decide(a, ALICE, first?.reviewId ?? '', { decision: 'block', applyToCluster: true })).json()) as {
      cluster: { decided: string[] };
    };
    assert.deepEqual(decided.cluster.decided, first?.cluster);
    assert.equal(((await (await a.get('/v1/listings/C2/verdict')).json()) as { verdict: string; decidedBy: string }).verdict, 'block');
    const [next] = (await claim(a, ALICE)) as Array<Claimed & { cluster: string[] }>;
    assert.equal(next?.listingId, 'C3', 'C2 is not handed out again');
    assert.equal(next?.cluster.length, 1, 'C4 shares its image');
    await decide(a, ALICE, next?.reviewId ?? '', { decision: 'allow', applyToCluster: true });
    const [last] = await claim(a, ALICE);
    assert.equal(last?.listingId, 'C5');
    await decide(a, ALICE, last?.reviewId ?? '', { decision: 'allow' });
    // The index holds pending items only: deciding them (or their cluster) empties it.
    const operator = new Redis(redis.adminUrl);
    try {
      assert.deepEqual(await operator.keys('rq:{review}:near:*'), [], 'no decided item is left in the cluster index');
    } finally {
      operator.disconnect();
    }
  });

  it('takes bulk decisions, reporting each item', async () => {
    for (let i = 400; i < 405; i++) await check(a, suspicious(i));
    const items = await claim(a, ALICE, 5);
    assert.equal(items.length, 5);
    const response = await a.post(
      '/v1/review/decisions',
      { decisions: [...items.map((i) => ({ reviewId: i.reviewId, decision: 'allow' })), { reviewId: 'rv_missing', decision: 'block' }] },
      as(ALICE),
    );
    const results = ((await response.json()) as { results: Array<{ ok: boolean }> }).results;
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, true, true, true, false],
    );
  });

  it('puts an item delivered too many times in the dead letters, visible to admins only', async () => {
    const queued = await check(a, suspicious(500));
    for (let round = 0; round < 3; round++) {
      const [item] = await claim(a, ALICE);
      assert.equal(item?.reviewId, queued.reviewId);
      await new Promise((r) => setTimeout(r, 450));
    }
    assert.deepEqual(await claim(a, ALICE), []);
    assert.equal((await a.get('/v1/admin/review/dead-letters', as(ALICE))).status, 403);
    const dead = (await (await a.get('/v1/admin/review/dead-letters', admin())).json()) as { items: Array<{ fields: Record<string, string> }> };
    const letter = dead.items.find((d) => d.fields.reviewId === queued.reviewId);
    assert.ok(letter);
    // The stream keeps reasons packed; the dead letter shows them as the API names them.
    assert.ok(
      (JSON.parse(letter.fields.reasons ?? '[]') as Array<{ code?: string }>).every((reason) => typeof reason.code === 'string'),
      letter.fields.reasons,
    );
  });

  it('indexes a new item under every cluster key it keeps, and takes it out of each when it is decided', async () => {
    const operator = new Redis(redis.adminUrl);
    try {
      const { reviewId } = await check(a, suspicious(401, 's-cluster-keys'));
      const clusterKeys = unpackClusterKeys(await operator.hgetBuffer(`rq:{review}:item:${reviewId}`, 'clusterKeys'));
      assert.ok(clusterKeys.filter((key) => key.startsWith('t')).length >= 16, `text bands: ${clusterKeys.join(' ')}`);
      // What an item keeps: no empty context or image hashes, the check id packed as verdict records pack it.
      const [context, phashes, checkId] = await operator.hmget(`rq:{review}:item:${reviewId}`, 'context', 'phashes', 'checkId');
      assert.deepEqual([context, phashes], [null, null]);
      assert.ok(checkId?.startsWith('~') && checkId.length === 23, checkId ?? 'no check id');
      // Its stream entry keeps the listing as verdict records do (stored-listing.ts); a claim gives it back whole.
      const [stream, entryId] = await operator.hmget(`rq:{review}:item:${reviewId}`, 'stream', 'entryId');
      const entry = await operator.xrange(stream ?? `rq:{review}:stream:normal`, entryId ?? '-', entryId ?? '+');
      const storedListing = entry[0]?.[1][entry[0][1].indexOf('listing') + 1];
      assert.ok(storedListing?.startsWith('["s-cluster-keys",'), storedListing ?? 'no listing in the entry');
      for (const key of clusterKeys) assert.notEqual(await operator.zscore(`rq:{review}:near:${key}`, reviewId ?? ''), null, `not in ${key}`);
      const claimed = await claim(a, ALICE, 5);
      assert.deepEqual(claimed.find((c) => c.reviewId === reviewId)?.listing, suspicious(401, 's-cluster-keys'));
      for (const item of claimed) assert.equal((await decide(a, ALICE, item.reviewId, { decision: 'allow' })).status, 200);
      for (const key of clusterKeys) assert.equal(await operator.zscore(`rq:{review}:near:${key}`, reviewId ?? ''), null, `left in ${key}`);
    } finally {
      operator.disconnect();
    }
  });

  it('decides an item an earlier version wrote, which names its keys in its fields and keeps its cluster keys as JSON', async () => {
    const operator = new Redis(redis.adminUrl);
    try {
      const { reviewId } = await check(a, suspicious(400, 's-earlier'));
      const item = `rq:{review}:item:${reviewId}`;
      const [listingId, contentHash] = await operator.hmget(item, 'listingId', 'contentHash');
      const clusterKeys = unpackClusterKeys(await operator.hgetBuffer(item, 'clusterKeys'));
      assert.ok(
        clusterKeys.length > 0 && (await operator.zscore(`rq:{review}:near:${clusterKeys[0]}`, reviewId ?? '')) !== null,
        'the item is in its cluster index',
      );
      // What an earlier version wrote: the keys as fields (a dedupe key under another name, to see it read), cluster keys in JSON.
      const earlierDedupe = `rq:{review}:dedupe-earlier:${listingId}`;
      await operator.set(earlierDedupe, reviewId ?? '');
      await operator.hset(
        item,
        'stream',
        'rq:{review}:stream:normal',
        'dedupeKey',
        earlierDedupe,
        'decidedKey',
        `rq:{review}:decided:${listingId}:${contentHash}`,
        'clusterKeys',
        JSON.stringify(clusterKeys),
      );
      const claimed = await claim(a, ALICE, 5);
      assert.ok(
        claimed.some((c) => c.reviewId === reviewId),
        'the item is claimed from the stream its field names',
      );
      assert.equal((await decide(a, ALICE, reviewId ?? '', { decision: 'allow' })).status, 200);
      for (const other of claimed) if (other.reviewId !== reviewId) await decide(a, ALICE, other.reviewId, { decision: 'allow' });
      assert.ok((await operator.ttl(earlierDedupe)) > 179 * 86_400, 'the dedupe key its field names expires with it');
      assert.equal(await operator.get(`rq:{review}:decided:${listingId}:${contentHash}`), 'allow');
      for (const key of clusterKeys) assert.equal(await operator.zscore(`rq:{review}:near:${key}`, reviewId ?? ''), null, `left ${key}`);
    } finally {
      operator.disconnect();
    }
  });

  it('keeps a chained audit log of claims and decisions, for admins', async () => {
    assert.equal((await a.get('/v1/admin/audit', as(ALICE))).status, 403);
    const records = ((await (await a.get('/v1/admin/audit?count=1000', admin())).json()) as { records: Array<{ record: { who: string; what: string } }> })
      .records;
    assert.ok(records.some((r) => r.record.what === 'claim' && r.record.who === 'reviewer:alice'));
    assert.ok(records.some((r) => r.record.what === 'decision:block'));
    assert.ok(
      records.some((r) => r.record.what === 'undo'),
      JSON.stringify(records.map((r) => r.record.what)),
    );
    const verified = (await (await a.get('/v1/admin/audit/verify', admin())).json()) as { intact: boolean; firstBroken: string | null; reason: string | null };
    assert.deepEqual(
      { intact: verified.intact, firstBroken: verified.firstBroken, reason: verified.reason },
      { intact: true, firstBroken: null, reason: null },
    );
  });

  it('delivers each decided verdict to the webhook, signed, retrying until it is accepted', async () => {
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline && !hooks.some((h) => JSON.parse(h.body).listingId === 'R200')) await new Promise((r) => setTimeout(r, 100));
    const hook = hooks.find((h) => JSON.parse(h.body).listingId === 'R200');
    assert.ok(hook, 'the verdict of R200 reached the webhook');
    const seen = new Set<string>();
    assert.deepEqual(verifyWebhook('webhook-secret-0123456789', hook.headers, hook.body, { seen }), { ok: true, id: hook.headers['webhook-id'] });
    assert.deepEqual(
      verifyWebhook('webhook-secret-0123456789', hook.headers, hook.body, { seen }),
      { ok: false, why: 'replayed' },
      'a captured delivery sent again',
    );
    assert.deepEqual(
      verifyWebhook('webhook-secret-0123456789', hook.headers, hook.body, { now: Date.now() + 3_600_000 }),
      { ok: false, why: 'stale' },
      'a delivery an hour old',
    );
    assert.deepEqual(verifyWebhook('webhook-secret-0123456789', hook.headers, hook.body.replace('block', 'allow')), { ok: false, why: 'bad signature' });
    assert.equal(JSON.parse(hook.body).verdict, 'block');
    assert.ok(String(hook.headers['x-gate-event-id']).startsWith('dc_'));
    assert.equal(hookFailuresLeft, 0, 'the first attempts failed and were retried');
  });

  it('refuses reviewer calls without a reviewer token', async () => {
    assert.equal((await a.get('/v1/review/next')).status, 401);
    assert.equal((await a.get('/v1/review/next', admin())).status, 200, 'an admin may act as a reviewer');
    assert.equal((await a.get('/v1/review/next?count=0', as(ALICE))).status, 400);
  });
});

describe('QA sampling', () => {
  it('copies allow verdicts to the QA tier at the configured share', async () => {
    const redis = await startTestRedis();
    const gate = await startTestGate({ redisUrl: redis.url, env: { GATE_QA_SHARE: '1', GATE_REVIEWER_TOKENS: ALICE } });
    try {
      assert.equal((await check(gate, { listingId: 'Q1', sellerId: 's', title: 'kids building blocks' })).verdict, 'allow');
      let items: Array<Claimed & { tier?: string; source?: string }> = [];
      for (let i = 0; i < 20 && items.length === 0; i++) {
        items = (await claim(gate, ALICE)) as typeof items;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(items[0]?.listingId, 'Q1');
      assert.equal(items[0]?.tier, 'qa');
      assert.match(await (await gate.get('/metrics')).text(), /gate_qa_sampled_total 1/);
    } finally {
      await gate.stop();
      await redis.stop();
    }
  });
});
