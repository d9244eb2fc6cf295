// A check's bookkeeping is written a few milliseconds after the answer, gathered
// with other checks' (issue 7): counters add up into one command per field and
// survive Redis going away, a waiting verdict record is what this instance reads,
// and it never overwrites a newer decision about the same listing.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { connectRedis } from '../src/redis/connect-redis.js';
import { HashCounters } from '../src/redis/hash-counters.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ListingVerdicts } from '../src/review/listing-verdicts.js';
import type { CheckRequest } from '../src/gate/check-request.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { commandCalls } from './helpers/command-calls.js';
import { messageLog, silentLog } from '../src/observability/gate-logger.js';

const listing = (listingId: string, title: string): CheckRequest => ({ listingId, sellerId: 's-wb', title });

describe('writes gathered after the answer', () => {
  let redis: TestRedis;
  let client: Redis;
  let direct: Redis;
  before(async () => {
    redis = await startTestRedis();
    client = await connectRedis(redis.url, 'write-behind-test');
    direct = new Redis(redis.adminUrl);
  });
  after(async () => {
    client.disconnect();
    direct.disconnect();
    await redis.stop();
  });

  it('adds up counts of one field into one command, and writes what waits on flush', async () => {
    const counters = new HashCounters(client, 'test counters', silentLog, 60_000);
    const before = await commandCalls(direct, 'hincrby');
    const scriptsBefore = (await commandCalls(direct, 'evalsha')) + (await commandCalls(direct, 'eval'));
    for (let i = 0; i < 500; i++) counters.add('wb:counts', 'blocked');
    counters.add('wb:counts', 'reviewed', 3);
    counters.add('wb:other', 'blocked', 2);
    assert.equal(await direct.hget('wb:counts', 'blocked'), null, 'nothing is written before the flush');
    await counters.flush();
    assert.deepEqual(await direct.hgetall('wb:counts'), { blocked: '500', reviewed: '3' });
    assert.deepEqual(await direct.hgetall('wb:other'), { blocked: '2' });
    assert.equal((await commandCalls(direct, 'hincrby')) - before, 3, 'one increment per field');
    const scripts = (await commandCalls(direct, 'evalsha')) + (await commandCalls(direct, 'eval')) - scriptsBefore;
    assert.ok(scripts >= 1 && scripts <= 2, `the batch goes as one script call (a second when Redis had to load it): ${scripts}`);
    assert.equal(await direct.ttl('wb:counts'), -1, 'no expiry unless asked');
  });

  it('gives every hash a batch wrote its expiry when asked', async () => {
    const counters = new HashCounters(client, 'test counters', silentLog, 60_000, 3_600);
    counters.add('wb:expiring:a', 'hits');
    counters.add('wb:expiring:b', 'hits', 4);
    await counters.flush();
    assert.equal(await direct.hget('wb:expiring:b', 'hits'), '4');
    for (const key of ['wb:expiring:a', 'wb:expiring:b']) {
      const ttl = await direct.ttl(key);
      assert.ok(ttl > 3_500 && ttl <= 3_600, `${key} expires in an hour: ${ttl}`);
    }
  });

  it('keeps counts Redis could not take and writes them once it is back', { timeout: 30_000 }, async () => {
    const logged: string[] = [];
    const counters = new HashCounters(
      client,
      'test counters',
      messageLog((m) => logged.push(m)),
      5,
    );
    for (let i = 0; i < 40; i++) counters.add('wb:outage', 'blocked');
    await counters.flush();
    await redis.redis.stop();
    for (let i = 0; i < 60; i++) counters.add('wb:outage', 'blocked');
    await counters.flush();
    assert.ok(
      logged.some((m) => /kept for a retry/.test(m)),
      logged.join('\n'),
    );
    await redis.redis.start();
    const reader = new Redis(redis.url);
    try {
      const until = Date.now() + 15_000;
      while ((await reader.hget('wb:outage', 'blocked').catch(() => null)) !== '100' && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await reader.hget('wb:outage', 'blocked'), '100');
      assert.equal(counters.dropped, 0);
    } finally {
      reader.disconnect();
    }
  });

  it('reads a waiting verdict record at once, lets a direct decision replace it, and keeps its listing', async () => {
    const keys = redisKeys('wb1:');
    const verdicts = new ListingVerdicts(client, keys, { recordDelayMs: 60_000 });
    verdicts.recordLater(
      { listingId: 'L1', verdict: 'review', decidedBy: 'gate', decidedAt: new Date().toISOString(), reviewId: 'rv_1' },
      listing('L1', 'replica tote'),
    );
    assert.equal((await verdicts.get('L1'))?.verdict, 'review', 'this instance sees it before it is written');
    assert.equal((await verdicts.getStored('L1'))?.listing?.title, 'replica tote');
    await verdicts.record({ listingId: 'L1', verdict: 'block', decidedBy: 'reviewer:alice', decidedAt: new Date().toISOString() });
    await verdicts.flush();
    const stored = await verdicts.getStored('L1');
    assert.equal(stored?.verdict, 'block');
    assert.equal(stored?.decidedBy, 'reviewer:alice');
    assert.equal(stored?.listing?.title, 'replica tote', 'the listing of the replaced record is kept');
  });

  it('never writes a waiting record over a newer decision made elsewhere', async () => {
    const keys = redisKeys('wb2:');
    const here = new ListingVerdicts(client, keys, { recordDelayMs: 60_000 });
    const elsewhere = new ListingVerdicts(direct, keys);
    const checkedAt = new Date(Date.now() - 5).toISOString();
    here.recordLater({ listingId: 'L2', verdict: 'review', decidedBy: 'gate', decidedAt: checkedAt, reviewId: 'rv_2' }, listing('L2', 'replica tote'));
    await elsewhere.record({ listingId: 'L2', verdict: 'block', decidedBy: 'reviewer:bob', decidedAt: new Date().toISOString() });
    await here.flush();
    assert.equal((await elsewhere.get('L2'))?.verdict, 'block');
    // An older stored record is replaced as usual.
    // A later check of the same content (or of unknown content) leaves the person's verdict standing ...
    here.recordLater(
      { listingId: 'L2', verdict: 'allow', decidedBy: 'gate', decidedAt: new Date(Date.now() + 1000).toISOString() },
      listing('L2', 'replica tote'),
    );
    await here.flush();
    assert.equal((await elsewhere.get('L2'))?.verdict, 'block');
    // ... and a check of changed content is the gate's to judge.
    here.recordLater(
      { listingId: 'L2', verdict: 'allow', decidedBy: 'gate', decidedAt: new Date(Date.now() + 1000).toISOString(), contentHash: 'c-plain' },
      listing('L2', 'plain tote'),
    );
    await here.flush();
    assert.equal((await elsewhere.get('L2'))?.verdict, 'allow');
  });

  it('writes the waiting records of many checks as one script call, every field of each, and only those not older than what is stored', async () => {
    const keys = redisKeys('wb3:');
    const here = new ListingVerdicts(client, keys, { recordDelayMs: 60_000 });
    const elsewhere = new ListingVerdicts(direct, keys);
    const at = new Date().toISOString();
    // A newer record is already stored for one of them, and an older one (with a complaint) for another.
    await elsewhere.record({ listingId: 'M7', verdict: 'block', decidedBy: 'reviewer:carol', decidedAt: new Date(Date.now() + 60_000).toISOString() });
    await elsewhere.record({
      listingId: 'M8',
      verdict: 'block',
      decidedBy: 'complaint',
      decidedAt: new Date(Date.now() - 60_000).toISOString(),
      complaintId: 'cp_1',
    });
    const scriptCalls = async (): Promise<number> => (await commandCalls(direct, 'evalsha')) + (await commandCalls(direct, 'eval'));
    const before = await scriptCalls();
    for (let i = 0; i < 30; i++) {
      here.recordLater(
        {
          listingId: `M${i}`,
          verdict: i % 2 === 0 ? 'review' : 'allow',
          decidedBy: 'gate',
          decidedAt: at,
          checkId: `ck_${i}`,
          policyVersion: 'p-3',
          reasons: [{ code: 'indicator', ref: `term ${i}` }],
          contentHash: `c-${i}`,
          ...(i % 2 === 0 ? { reviewId: `rv_m${i}` } : {}),
        },
        listing(`M${i}`, `tote number ${i}`),
      );
    }
    await here.flush();
    const calls = (await scriptCalls()) - before;
    assert.ok(calls >= 1 && calls <= 2, `30 records took ${calls} script calls`);
    for (let i = 0; i < 30; i++) {
      const stored = await elsewhere.getStored(`M${i}`);
      if (i === 7) {
        assert.equal(stored?.decidedBy, 'reviewer:carol', 'the newer stored record stands');
        continue;
      }
      assert.deepEqual(
        { ...stored },
        {
          listingId: `M${i}`,
          verdict: i % 2 === 0 ? 'review' : 'allow',
          decidedBy: 'gate',
          decidedAt: at,
          checkId: `ck_${i}`,
          policyVersion: 'p-3',
          reasons: [{ code: 'indicator', ref: `term ${i}` }],
          ...(i % 2 === 0 ? { reviewId: `rv_m${i}` } : {}),
          listing: listing(`M${i}`, `tote number ${i}`),
        },
        `record M${i}`,
      );
    }
    assert.equal(await direct.hget(keys.listingVerdict('M8'), 'complaintId'), null, "an older record's complaint is not inherited");
  });
});
