// Issue 23: review items in the dead letters lapse after GATE_REVIEW_DEAD_LAPSE_DAYS
// unless an admin requeues or drops them; a lapsed item and what it carries get the
// retention window of a decided one. Time is driven by the job's clock, not slept.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { MetricsRegistry } from '../src/observability/metrics.js';
import { metricValue } from './helpers/metric-value.js';
import { redisKeys, type RedisKeys } from '../src/redis/redis-keys.js';
import { DeadItemLapse } from '../src/review/dead-item-lapse.js';
import { DeadReviewItems } from '../src/review/dead-review-items.js';
import { ReviewError, ReviewQueue, type ReviewItemInput } from '../src/review/review-queue.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { callGate, eventually } from './helpers/gate-calls.js';
import { startTestGate, ADMIN_TOKEN, PUBLISHER_TOKEN, REVIEWER_TOKEN, type TestGate } from './helpers/test-gate.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { reviewItemOf } from './helpers/review-item.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const WINDOW_MS = 60_000;
const RETENTION_SECONDS = 3600;

async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    found.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

/** The lapse code a promise was refused with. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ReviewError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('dead review items lapse', () => {
  let redis: TestRedis;
  let client: Redis;
  let operator: Redis;
  before(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
    operator = new Redis(redis.adminUrl);
  });
  after(async () => {
    client.disconnect();
    operator.disconnect();
    await redis.stop();
  });

  /** A queue whose items go to the dead letters once given back (a lease of 20 ms, one delivery). */
  async function queueOf(keys: RedisKeys): Promise<ReviewQueue> {
    const queue = new ReviewQueue(client, keys, { retentionSeconds: RETENTION_SECONDS, leaseMs: 20, maxDeliveries: 1 });
    await queue.ensureGroups();
    return queue;
  }
  async function buryAll(queue: ReviewQueue, keys: RedisKeys, reviewIds: readonly string[]): Promise<void> {
    await queue.claim('walked-away', reviewIds.length);
    await sleep(40);
    await queue.claim('next', reviewIds.length);
    for (const id of reviewIds) assert.equal(await operator.hget(keys.reviewItem(id), 'status'), 'dead', id);
  }
  async function queued(queue: ReviewQueue, item: ReviewItemInput): Promise<string> {
    const result = await queue.enqueue(item);
    assert.ok(result.kind === 'queued');
    return result.reviewId;
  }
  const windowed = async (key: string): Promise<void> => {
    const left = await operator.ttl(key);
    assert.ok(left > RETENTION_SECONDS - 100 && left <= RETENTION_SECONDS, `${key}: TTL ${left}`);
  };

  it('lapses an item dead past the window: every key it owned then has an end, its dedupe key and cluster places are gone', async () => {
    const keys = redisKeys('lapse-one:');
    const queue = await queueOf(keys);
    const input = reviewItemOf('LP1');
    const reviewId = await queued(queue, input);
    // An alias a spooled caller was told, made while the item was pending: no end until the item has one.
    await queue.replaySpooled({ ...input, reviewId: 'rv_alias-of-lp1' });
    await buryAll(queue, keys, [reviewId]);
    const near = (await keysUnder(operator, keys.reviewCluster(''))).sort();
    assert.ok(near.length > 0, 'the item has cluster keys');
    for (const key of near) assert.notEqual(await operator.zscore(key, reviewId), null, `dead, still in ${key}`);
    for (const key of [
      keys.reviewItem(reviewId),
      keys.reviewItem('rv_alias-of-lp1'),
      `${keys.reviewOpenPrefix}LP1`,
      keys.reviewDedupe('LP1', input.contentHash),
    ]) {
      assert.equal(await operator.ttl(key), -1, `dead: ${key} has no end`);
    }

    let now = Date.now();
    const lapsed = new MetricsRegistry().counter('lapsed', 'lapsed');
    const job = new DeadItemLapse({
      redis: client,
      keys,
      lapseAfterMs: WINDOW_MS,
      retentionSeconds: RETENTION_SECONDS,
      maxLetters: 100_000,
      now: () => now,
      lapsed,
    });
    assert.deepEqual(await job.run(), [], 'within the window nothing lapses');
    assert.equal(await operator.hget(keys.reviewItem(reviewId), 'status'), 'dead');

    now += WINDOW_MS + 1000;
    assert.deepEqual(
      (await job.run()).map((item) => item.reviewId),
      [reviewId],
    );
    assert.equal(await metricValue(lapsed), 1);
    assert.equal(await operator.hget(keys.reviewItem(reviewId), 'status'), 'lapsed');
    for (const key of [keys.reviewItem(reviewId), keys.reviewItem('rv_alias-of-lp1'), `${keys.reviewOpenPrefix}LP1`]) await windowed(key);
    assert.equal(await operator.exists(keys.reviewDedupe('LP1', input.contentHash)), 0, 'no decision stands for the content: its dedupe key goes');
    for (const key of near) assert.equal(await operator.zscore(key, reviewId), null, `lapsed, not in ${key}`);
    assert.equal(await operator.xlen(keys.reviewDeadLetters), 0, 'its dead letter is taken');
    const [[, last] = ['', []]] = await operator.xrevrange(keys.reviewDecisions, '+', '-', 'COUNT', 1);
    assert.deepEqual([last[last.indexOf('type') + 1], last[last.indexOf('reviewId') + 1]], ['lapse', reviewId], 'a lapse entry for the effects');

    // Every key under the prefix has an end but the streams, which are trimmed (docs/redis-keys.md).
    const endless: string[] = [];
    for (const key of await keysUnder(operator, 'lapse-one:')) {
      if ((await operator.type(key)) !== 'stream' && (await operator.ttl(key)) < 0) endless.push(key);
    }
    assert.deepEqual(endless, []);

    assert.deepEqual(await job.run(), [], 'a second run lapses nothing');
    assert.equal(await refusal(queue.decide({ reviewId, reviewer: 'admin', decision: 'block', asAdmin: true })), 'lapsed');
    assert.equal(await queued(queue, input).then((id) => id !== reviewId), true, 'the same content queues a new item');
  });

  it('leaves an item requeued before the window in the queue; a drop closes one at once; after a lapse both answer lapsed', async () => {
    const keys = redisKeys('lapse-back:');
    const queue = await queueOf(keys);
    const dead = new DeadReviewItems(client, keys, RETENTION_SECONDS);
    const [requeued, dropped, lapsing] = [
      await queued(queue, reviewItemOf('LB1')),
      await queued(queue, reviewItemOf('LB2')),
      await queued(queue, reviewItemOf('LB3')),
    ];
    await buryAll(queue, keys, [requeued, dropped, lapsing]);

    await dead.requeue(requeued);
    assert.equal(await operator.hget(keys.reviewItem(requeued), 'status'), 'pending');
    assert.deepEqual(
      (await queue.deadLetters()).map((letter) => letter.fields.reviewId),
      [dropped, lapsing],
      'its letter is taken',
    );
    await dead.drop(dropped, 'admin');
    assert.equal(await operator.hget(keys.reviewItem(dropped), 'status'), 'lapsed');
    await windowed(keys.reviewItem(dropped));

    const job = new DeadItemLapse({
      redis: client,
      keys,
      lapseAfterMs: WINDOW_MS,
      retentionSeconds: RETENTION_SECONDS,
      maxLetters: 100_000,
      now: () => Date.now() + WINDOW_MS + 1000,
    });
    assert.deepEqual(
      (await job.run()).map((item) => item.reviewId),
      [lapsing],
      'only the item left dead lapses',
    );
    assert.equal(await operator.hget(keys.reviewItem(requeued), 'status'), 'pending');
    assert.equal(await operator.ttl(keys.reviewItem(requeued)), -1, 'pending again: no end');

    // Requeued, it is claimed again (deliveries from zero) and decided.
    const reviewing = new ReviewQueue(client, keys, { retentionSeconds: RETENTION_SECONDS, maxDeliveries: 1 });
    const claimed = await reviewing.claim('r', 5);
    assert.deepEqual(
      claimed.map((item) => [item.reviewId, item.deliveries, (item.listing as { listingId: string }).listingId]),
      [[requeued, 1, 'LB1']],
    );
    await reviewing.decide({ reviewId: requeued, reviewer: 'r', decision: 'block' });
    assert.equal(await operator.hget(keys.reviewItem(requeued), 'status'), 'decided');

    for (const id of [lapsing, dropped]) {
      assert.equal(await refusal(dead.requeue(id)), 'lapsed', `requeue ${id}`);
      assert.equal(await refusal(dead.drop(id, 'admin')), 'lapsed', `drop ${id}`);
    }
    assert.equal(await refusal(dead.requeue(requeued)), 'not_dead');
    assert.equal(await refusal(dead.drop('rv_nobody', 'admin')), 'not_found');
  });

  it('lapses an item once when two instances run the job on one Redis', async () => {
    const keys = redisKeys('lapse-twice:');
    const queue = await queueOf(keys);
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push(await queued(queue, reviewItemOf(`LT${i}`)));
    await buryAll(queue, keys, ids);
    const other = new Redis(redis.url);
    try {
      const later = (): number => Date.now() + WINDOW_MS + 1000;
      // Small batches, so that the two runs interleave.
      const [one, two] = [client, other].map(
        (connection) =>
          new DeadItemLapse({
            redis: connection,
            keys,
            lapseAfterMs: WINDOW_MS,
            retentionSeconds: RETENTION_SECONDS,
            maxLetters: 100_000,
            batch: 7,
            batchesPerRun: 100,
            now: later,
          }),
      );
      const runs = await Promise.all([one?.run(), two?.run()]);
      const lapsed = runs.flatMap((run) => run ?? []).map((item) => item.reviewId);
      assert.equal(lapsed.length, ids.length, `${runs.map((run) => run?.length)} lapsed by each`);
      assert.deepEqual([...new Set(lapsed)].sort(), [...ids].sort());
      const entries = await operator.xrange(keys.reviewDecisions, '-', '+');
      assert.equal(entries.filter(([, fields]) => fields[fields.indexOf('type') + 1] === 'lapse').length, ids.length, 'one lapse entry an item');
    } finally {
      other.disconnect();
    }
  });
});

describe('a lapsed complaint, through the gate', () => {
  const HOLDER = 'lapse-holder-token-0123456789';
  const DAY = 86_400;
  let redis: TestRedis;
  let gate: TestGate;
  let operator: Redis;
  let client: Redis;
  let hooks: WebhookReceiver;
  before(async () => {
    hooks = await startWebhookReceiver(() => ({ status: 200 }));
    redis = await startTestRedis();
    gate = await startTestGate({
      redisUrl: redis.url,
      publisherTokens: true,
      env: {
        GATE_RIGHTS_HOLDER_TOKENS: `acme:${HOLDER}`,
        GATE_RETENTION_DAYS: '1',
        GATE_REVIEW_MAX_DELIVERIES: '1',
        GATE_WEBHOOK_URL: hooks.url,
        GATE_WEBHOOK_SECRET: 'lapse-webhook-secret-0123456789',
      },
    });
    operator = new Redis(redis.adminUrl);
    client = new Redis(redis.url);
    const claim = {
      registrationNumber: 'TM-L-1',
      jurisdiction: 'cn',
      classes: [18],
      evidence: ['docs://l/cert.pdf'],
      validFrom: '2020-01-01',
      validUntil: '2099-12-31',
    };
    assert.equal((await holder('PUT', '/v1/rights-holder/brands/lapsemark', { names: ['Lapsemark'], categories: ['bags'] })).status, 200);
    assert.equal((await holder('PUT', '/v1/rights-holder/brands/lapsemark/claim', claim)).status, 200);
    assert.equal((await callGate(gate, 'POST', '/v1/admin/claims/acme/lapsemark', ADMIN_TOKEN, { decision: 'verify' })).status, 200);
  });
  after(async () => {
    operator?.disconnect();
    client?.disconnect();
    await gate?.stop();
    await redis?.stop();
    await hooks?.close();
  });
  const holder = (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => callGate(gate, method, path, HOLDER, body);
  /** Given back once more than GATE_REVIEW_MAX_DELIVERIES: dead. */
  const bury = (reviewId: string): Promise<true> =>
    eventually(`${reviewId} in the dead letters`, async () => {
      for (const item of (await callGate(gate, 'GET', '/v1/review/next?count=50', REVIEWER_TOKEN)).body.items as Array<{ reviewId: string }>) {
        await callGate(gate, 'POST', `/v1/review/${item.reviewId}/release`, REVIEWER_TOKEN, {});
      }
      return (await operator.hget(redisKeys(gate.prefix).reviewItem(reviewId), 'status')) === 'dead' ? true : undefined;
    });
  async function complainedItem(title: string): Promise<{ listingId: string; complaintId: string; reviewId: string }> {
    const listing = { listingId: `LC-${randomUUID().slice(0, 8)}`, sellerId: 's-lapse', title };
    assert.equal((await callGate(gate, 'POST', '/v1/check', PUBLISHER_TOKEN, listing)).status, 200);
    const filed = await holder('POST', '/v1/rights-holder/complaints', { brandId: 'lapsemark', reason: 'counterfeit', listingIds: [listing.listingId] });
    assert.equal(filed.status, 200, JSON.stringify(filed.body));
    return { listingId: listing.listingId, ...(filed.body.results[0].complaint as { complaintId: string; reviewId: string }) };
  }

  it('settles the complaint as lapsed for the window, leaves the verdict, tells the marketplace and audits it', async () => {
    const keys = redisKeys(gate.prefix);
    const listing = { listingId: `LC-${randomUUID().slice(0, 8)}`, sellerId: 's-lapse', title: 'plain canvas tote' };
    assert.equal((await callGate(gate, 'POST', '/v1/check', PUBLISHER_TOKEN, listing)).status, 200);
    const verdictBefore = (await callGate(gate, 'GET', `/v1/listings/${listing.listingId}/verdict`, PUBLISHER_TOKEN)).body;
    const filed = await holder('POST', '/v1/rights-holder/complaints', { brandId: 'lapsemark', reason: 'counterfeit', listingIds: [listing.listingId] });
    assert.equal(filed.status, 200, JSON.stringify(filed.body));
    const complaint = filed.body.results[0].complaint as { complaintId: string; reviewId: string; status: string };
    assert.equal(complaint.status, 'pending');

    await bury(complaint.reviewId);

    // Another instance's job, its clock past the window.
    const job = new DeadItemLapse({
      redis: client,
      keys,
      lapseAfterMs: 30 * DAY * 1000,
      retentionSeconds: DAY,
      maxLetters: 100_000,
      now: () => Date.now() + 31 * DAY * 1000,
    });
    assert.deepEqual(
      (await job.run()).map((item) => item.reviewId),
      [complaint.reviewId],
    );

    await eventually('complaint lapsed', async () =>
      (await holder('GET', `/v1/rights-holder/complaints/${complaint.complaintId}`)).body.status === 'lapsed' ? true : undefined,
    );
    const left = await operator.ttl(keys.complaint(complaint.complaintId));
    assert.ok(left > DAY - 100 && left <= DAY, `complaint TTL ${left}`);
    assert.equal(await operator.exists(keys.openComplaint('acme', listing.listingId)), 0, 'no longer the open complaint on the listing');
    assert.deepEqual((await callGate(gate, 'GET', `/v1/listings/${listing.listingId}/verdict`, PUBLISHER_TOKEN)).body, verdictBefore, 'the verdict stays');

    const event = await eventually('review.lapsed delivered', async () =>
      hooks.received.map((hook) => JSON.parse(hook.body) as Record<string, unknown>).find((body) => body.type === 'review.lapsed'),
    );
    assert.deepEqual([event.listingId, event.reviewId, event.complaintId], [listing.listingId, complaint.reviewId, complaint.complaintId]);
    await eventually('the lapse audited', async () => {
      const rows = (await callGate(gate, 'GET', '/v1/admin/audit?count=1000', ADMIN_TOKEN)).body.records as Array<{
        record: { who: string; what: string; subject: string };
      }>;
      return rows.find(({ record }) => record.what === 'review:lapse' && record.who === 'gate' && record.subject === complaint.reviewId);
    });

    // The admin's calls after the lapse: 409, reason lapsed.
    for (const [method, path] of [
      ['POST', `/v1/admin/review/dead-letters/${complaint.reviewId}/requeue`],
      ['DELETE', `/v1/admin/review/dead-letters/${complaint.reviewId}`],
    ] as const) {
      const answer = await callGate(gate, method, path, ADMIN_TOKEN);
      assert.deepEqual([answer.status, answer.body.error?.code, answer.body.error?.details?.reason], [409, 'GATE_ERR_CONFLICT', 'lapsed'], `${method} ${path}`);
    }
  });
  it('lets an admin requeue a dead item, or drop one: its complaint lapsed at once, audited', async () => {
    const keys = redisKeys(gate.prefix);
    const [requeued, dropped] = [await complainedItem('plain linen tote'), await complainedItem('plain jute tote')];
    await bury(requeued.reviewId);
    await bury(dropped.reviewId);
    const requeue = await callGate(gate, 'POST', `/v1/admin/review/dead-letters/${requeued.reviewId}/requeue`, ADMIN_TOKEN);
    assert.deepEqual([requeue.status, requeue.body], [200, { reviewId: requeued.reviewId, requeued: true }]);
    assert.equal(await operator.hget(keys.reviewItem(requeued.reviewId), 'status'), 'pending');
    assert.equal(
      (await callGate(gate, 'POST', `/v1/admin/review/dead-letters/${requeued.reviewId}/requeue`, ADMIN_TOKEN)).body.error?.details?.reason,
      'not_dead',
    );

    const drop = await callGate(gate, 'DELETE', `/v1/admin/review/dead-letters/${dropped.reviewId}`, ADMIN_TOKEN);
    assert.deepEqual([drop.status, drop.body], [200, { reviewId: dropped.reviewId, dropped: true }]);
    assert.equal((await holder('GET', `/v1/rights-holder/complaints/${dropped.complaintId}`)).body.status, 'lapsed', 'settled before the answer');
    const rows = (await callGate(gate, 'GET', '/v1/admin/audit?count=1000', ADMIN_TOKEN)).body.records as Array<{
      record: { who: string; what: string; subject: string };
    }>;
    assert.deepEqual(
      rows
        .filter(({ record }) => [requeued.reviewId, dropped.reviewId].includes(record.subject) && record.what.startsWith('review:'))
        .map(({ record }) => [record.who, record.what, record.subject]),
      [
        ['admin', 'review:requeue', requeued.reviewId],
        ['admin', 'review:drop', dropped.reviewId],
      ],
    );
    assert.equal((await callGate(gate, 'DELETE', '/v1/admin/review/dead-letters/rv_nobody', ADMIN_TOKEN)).status, 404);
  });
});
