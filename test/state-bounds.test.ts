// Issue 23, "every key has an end": the families docs/redis-keys.md listed as not
// yet bounded, each shown to get its TTL or bound on a real Redis (and a real gate
// where people's calls write them), what a person still needs kept meanwhile.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { contentHash } from '../src/gate/content-hash.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ReviewQueue, type ReviewItemInput } from '../src/review/review-queue.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function itemOf(listingId: string, title = `replica bag ${randomUUID()}`): ReviewItemInput {
  const listing = { listingId, sellerId: `s-${listingId}`, title };
  return { listingId, sellerId: listing.sellerId, contentHash: contentHash(listing), policyVersion: 'p1', checkId: `ck_${randomUUID()}`, score: 60, tier: 'normal', priority: 60, reasons: [], listing };
}

describe('review queue state', () => {
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

  it('keeps about GATE_REVIEW_DEAD_MAXLEN dead letters, the newest', async () => {
    const keys = redisKeys('dead:');
    const queue = new ReviewQueue(client, keys, { leaseMs: 20, maxDeliveries: 1, deadMaxLen: 100 });
    await queue.ensureGroups();
    await Promise.all(Array.from({ length: 250 }, (_, i) => queue.enqueue(itemOf(`DL${i}`))));
    assert.equal((await queue.claim('walked-away', 250)).length, 250);
    await sleep(50);
    assert.deepEqual(await queue.claim('next', 250), [], 'every item was delivered once too often');
    const letters = await operator.xlen(keys.reviewDeadLetters);
    // MAXLEN ~ trims whole stream nodes (100 entries by default): at most one node over.
    assert.ok(letters >= 100 && letters <= 200, `${letters} dead letters of 250`);
    const reviewIdOfLast = async (stream: string): Promise<string | undefined> => {
      const [[, fields] = ['', []]] = await operator.xrevrange(stream, '+', '-', 'COUNT', 1);
      return fields[fields.indexOf('reviewId') + 1];
    };
    assert.equal(await reviewIdOfLast(keys.reviewDeadLetters), await reviewIdOfLast(keys.reviewStream('normal')), 'the newest dead letter is kept');
  });

  it('gives an alias of a replayed item the life of the item it names, and an item recorded as decided the window', async () => {
    const keys = redisKeys('alias:');
    const queue = new ReviewQueue(client, keys, { retentionSeconds: 3600 });
    await queue.ensureGroups();
    const ttl = (reviewId: string): Promise<number> => operator.ttl(keys.reviewItem(reviewId));
    const windowed = async (reviewId: string): Promise<void> => {
      const left = await ttl(reviewId);
      assert.ok(left > 3500 && left <= 3600, `${reviewId}: TTL ${left}`);
    };
    // Two items of a listing (its content changed), each with an alias a spooled caller was told.
    const first = itemOf('AL1', 'replica bag first');
    const second = itemOf('AL1', 'replica bag second');
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
    assert.equal(await operator.hget(keys.reviewItem('rv_late-of-x'), 'decidedBy'), 'earlier-decision');
    await windowed('rv_late-of-x');

    // An alias made of an item already closed (here gone to the dead letters) gets the window at once.
    const dying = new ReviewQueue(client, keys, { retentionSeconds: 3600, leaseMs: 20, maxDeliveries: 1 });
    const third = itemOf('AL2');
    const z = await queue.enqueue(third);
    assert.ok(z.kind === 'queued');
    assert.ok((await dying.claim('walked-away', 5)).some((item) => item.reviewId === z.reviewId));
    await sleep(50);
    await dying.claim('next', 5);
    assert.equal(await operator.hget(keys.reviewItem(z.reviewId), 'status'), 'dead');
    assert.deepEqual(await queue.replaySpooled({ ...third, reviewId: 'rv_alias-of-z' }), { kind: 'queued', reviewId: z.reviewId, created: false });
    await windowed('rv_alias-of-z');
  });
});
