// Check threads (GATE_CHECK_THREADS): each listens on the gate's port and decides
// checks itself; what needs Redis goes to the event loop, everything else is
// forwarded to it. From outside, the gate must answer exactly as with the pool.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { luaScript } from '../src/redis/lua-script.js';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { after, before, describe, it } from 'node:test';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { admin, PUBLISHER_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';
import { callGate, eventually } from './helpers/gate-calls.js';

interface CheckAnswer {
  verdict: string;
  reasons: Array<{ code: string; ref?: string }>;
  reviewId?: string;
  policyVersion: string;
  tookMicros: number;
}

async function check(
  gate: TestGate,
  listing: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: CheckAnswer; timing: string | null }> {
  const response = await gate.post('/v1/check', listing, headers);
  return { status: response.status, body: (await response.json()) as CheckAnswer, timing: response.headers.get('server-timing') };
}

function metric(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(line));
  return found === undefined ? 0 : Number(found.slice(line.length).trim());
}

describe('check threads', () => {
  let redis: TestRedis;
  let gate: TestGate;
  before(async () => {
    redis = await startTestRedis();
    gate = await startTestGate({ redisUrl: redis.url, env: { GATE_CHECK_THREADS: '2' } });
  });
  after(async () => {
    await gate.stop();
    await redis.stop();
  });

  it('is ready only with every thread ready, and says so', async () => {
    const response = await gate.get('/readyz');
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { checkThreads: string }).checkThreads, '2 of 2 ready');
  });

  it("has the review queue's script loaded in Redis before it is ready, without writing anything", async () => {
    const operator = new Redis(redis.adminUrl);
    try {
      const sha = createHash('sha1')
        .update(luaScript('enqueue-review', ['open-items']))
        .digest('hex');
      assert.deepEqual(await operator.script('EXISTS', sha), [1]);
      assert.deepEqual(await operator.keys('*{review}:item:*'), [], 'the load queued nothing');
      assert.deepEqual(await operator.keys('*{review}:dedupe:*'), [], 'the load queued nothing');
    } finally {
      operator.disconnect();
    }
  });

  it('decides a plain listing on the thread, and the event loop records it before it answers anything after', async () => {
    const answer = await check(gate, { listingId: 'T1', sellerId: 's-t1', title: 'Plain cotton t-shirt' }, { 'x-gate-timing': '1' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.verdict, 'allow');
    // The thread's phases: no event-loop phase for a check the thread answered alone.
    assert.match(answer.timing ?? '', /^read;dur=[\d.]+, match;dur=[\d.]+, decide;dur=[\d.]+$/);
    const verdict = await callGate(gate, 'GET', '/v1/listings/T1/verdict', REVIEWER_TOKEN);
    assert.equal(verdict.status, 200);
    assert.equal(verdict.body.verdict, 'allow');
    assert.equal(verdict.body.decidedBy, 'gate');
    const metrics = await (await gate.get('/metrics', admin())).text();
    assert.ok(metric(metrics, 'gate_checks_total{verdict="allow"}') >= 1, 'the thread-answered check is not counted');
  });

  it("links the sellers of allows a thread answered into one ring through a shared phone, and keeps each allow's ids", async () => {
    const first = await check(gate, {
      listingId: 'TR1',
      sellerId: 's-tr-a',
      title: 'Plain linen tote',
      seller: { phoneHash: 'ph-thread-ring' },
      attributes: { shipFrom: 'CN-ZJ' },
    });
    const second = await check(gate, { listingId: 'TR2', sellerId: 's-tr-b', title: 'Plain linen tote', seller: { phoneHash: 'ph-thread-ring' } });
    assert.deepEqual([first.body.verdict, second.body.verdict], ['allow', 'allow']);
    await eventually('the ring of the shared phone', async () => {
      const ring = (await (await gate.get('/v1/admin/rings/s-tr-a', admin())).json()) as { members?: Array<{ sellerId: string }> };
      const members = (ring.members ?? []).map((m) => m.sellerId).sort();
      return members.length === 2 ? members : undefined;
    });
    const verdict = (await callGate(gate, 'GET', '/v1/listings/TR1/verdict', REVIEWER_TOKEN)).body as {
      checkId: string;
      policyVersion: string;
      verdict: string;
    };
    assert.deepEqual(
      [verdict.verdict, verdict.checkId, verdict.policyVersion],
      ['allow', (first.body as unknown as { checkId: string }).checkId, first.body.policyVersion],
    );
  });

  it('blocks a listed shop: the list table sends the check to the event loop, which asks Redis', async () => {
    assert.equal((await gate.post('/v1/admin/lists/shops', { values: ['shop-listed-t'] }, admin())).status, 200);
    const answer = await check(gate, { listingId: 'T2', sellerId: 's-t2', shopId: 'shop-listed-t', title: 'Plain cotton t-shirt' }, { 'x-gate-timing': '1' });
    assert.equal(answer.body.verdict, 'block');
    assert.ok(
      answer.body.reasons.some((r) => r.code === 'blocklist_shop'),
      JSON.stringify(answer.body),
    );
    assert.match(answer.timing ?? '', /event-loop;dur=/);
  });

  it('blocks a listed seller (a confirmed node of the ring graph too)', async () => {
    assert.equal((await gate.post('/v1/admin/lists/sellers', { values: ['s-listed-t'] }, admin())).status, 200);
    const answer = await check(gate, { listingId: 'T2b', sellerId: 's-listed-t', title: 'Plain cotton t-shirt' });
    assert.equal(answer.body.verdict, 'block');
    assert.ok(answer.body.reasons.some((r) => r.code === 'blocklist_seller'));
  });

  it("queues a review verdict's item from the thread, in Redis before the answer names it", async () => {
    const queuedBefore = metric(await (await gate.get('/metrics', admin())).text(), 'gate_review_items_total');
    const answer = await check(gate, { listingId: 'T3', sellerId: 's-t3', title: 'super copy handbag' }, { 'x-gate-timing': '1' });
    assert.equal(answer.body.verdict, 'review', JSON.stringify(answer.body));
    assert.match(answer.body.reviewId ?? '', /^rv_/);
    // The thread's phases: the item went to Redis from the thread, with no event-loop phase.
    assert.match(answer.timing ?? '', /^read;dur=[\d.]+, match;dur=[\d.]+, review-queue;dur=[\d.]+$/);
    const claimed = await callGate(gate, 'GET', '/v1/review/next?count=50', REVIEWER_TOKEN);
    const items = claimed.body.items as Array<{ reviewId: string; listingId: string }>;
    assert.ok(
      items.some((item) => item.reviewId === answer.body.reviewId && item.listingId === 'T3'),
      JSON.stringify(items),
    );
    for (const item of items) await callGate(gate, 'POST', `/v1/review/${item.reviewId}/release`, REVIEWER_TOKEN, {});
    const verdict = await callGate(gate, 'GET', '/v1/listings/T3/verdict', REVIEWER_TOKEN);
    assert.equal(verdict.body.verdict, 'review');
    assert.equal(verdict.body.reviewId, answer.body.reviewId);
    const queuedAfter = metric(await (await gate.get('/metrics', admin())).text(), 'gate_review_items_total');
    assert.equal(queuedAfter, queuedBefore + 1);
  });

  it('refuses a bad body on the thread with the coded error naming the field', async () => {
    const answer = await check(gate, { listingId: 'T4', title: 'no seller' });
    assert.equal(answer.status, 400);
    assert.equal((answer.body as unknown as { error: { code: string; field: string } }).error.field, 'sellerId');
  });

  it('puts a new pack in force on every thread', async () => {
    const swapped = { ...(JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as Record<string, unknown>), packVersion: 'threads-2' };
    const response = await fetch(`${gate.url}/v1/admin/pack`, {
      method: 'PUT',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify(swapped),
    });
    assert.equal(response.status, 200, await response.text());
    // Several connections, so that both threads answer.
    const versions = await eventually('the new pack on every thread', async () => {
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          fetch(`${gate.url}/v1/check`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', connection: 'close' },
            body: JSON.stringify({ listingId: `T5-${i}`, sellerId: 's-t5', title: 'Plain mug' }),
          }).then((r) => r.json() as Promise<CheckAnswer>),
        ),
      );
      const seen = new Set(answers.map((a) => a.policyVersion));
      return seen.size === 1 && seen.has('threads-2') ? seen : undefined;
    });
    assert.deepEqual([...versions], ['threads-2']);
    // The brands came over in slices (pack-for-threads.ts): a brand's price floor is judged on every thread.
    const belowFloor = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fetch(`${gate.url}/v1/check`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({
            listingId: `T5-floor-${i}`,
            sellerId: 's-t5',
            title: 'Louis Vuitton Neverfull bag',
            category: 'bags',
            price: { amount: 100, currency: 'CNY' },
          }),
        }).then((r) => r.json() as Promise<CheckAnswer>),
      ),
    );
    for (const answer of belowFloor) {
      assert.equal(answer.policyVersion, 'threads-2');
      assert.ok(
        answer.reasons.some((r) => r.code === 'brand_below_floor' && r.ref === 'louis-vuitton'),
        JSON.stringify(answer.reasons),
      );
    }
  });

  it('starts a thread again when it dies, and the gate keeps answering', async () => {
    const threads = gate.checkThreads;
    assert.ok(threads, 'the gate has no check threads');
    await threads.workers()[0]?.terminate();
    await eventually('the thread started again', async () => (threads.ready ? true : undefined));
    for (let i = 0; i < 6; i++) {
      const answer = await fetch(`${gate.url}/v1/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ listingId: `T6-${i}`, sellerId: 's-t6', title: 'Plain mug' }),
      });
      assert.equal(answer.status, 200);
    }
  });
});

describe('check threads and the limit on failed authentications', () => {
  let redis: TestRedis;
  let gate: TestGate;
  before(async () => {
    redis = await startTestRedis();
    gate = await startTestGate({ redisUrl: redis.url, publisherTokens: true, env: { GATE_CHECK_THREADS: '2', GATE_AUTH_FAILURE_LIMIT: '20' } });
  });
  after(async () => {
    await gate.stop();
    await redis.stop();
  });

  it('holds one limit for the whole gate, whichever thread each connection lands on', async () => {
    // A connection each: the kernel spreads them over both threads.
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`${gate.url}/v1/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close', authorization: `Bearer guess-${i}-000000000000` },
        body: JSON.stringify({ listingId: 'L', sellerId: 's', title: 't' }),
      });
      statuses.push(response.status);
    }
    assert.equal(statuses.indexOf(429), 20, statuses.join(' '));
    assert.deepEqual(statuses.slice(20), Array(20).fill(429));
    for (let i = 0; i < 6; i++) {
      const good = await fetch(`${gate.url}/v1/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', connection: 'close', authorization: `Bearer ${PUBLISHER_TOKEN}` },
        body: JSON.stringify({ listingId: 'L', sellerId: 's', title: 't' }),
      });
      assert.equal(good.status, 429, 'a good token from a refused address waits too, on every thread');
    }
  });
});
