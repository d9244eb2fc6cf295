// The gate's record of an allowed listing is compact (issue 23): no copy of the
// listing, in a day bucket that expires with its retention window, and still the
// listing's verdict whenever it is the newest one and no person decided otherwise.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { connectRedis } from '../src/redis/connect-redis.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ListingVerdicts } from '../src/review/listing-verdicts.js';
import { listingOfRecord } from '../src/review/listing-of-record.js';
import type { CheckRequest } from '../src/gate/check-request.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

const listing = (listingId: string, title: string): CheckRequest => ({
  listingId,
  sellerId: `seller|${listingId}`,
  title,
  description: 'a long description '.repeat(20),
});
const at = (offsetMs: number): string => new Date(Date.now() + offsetMs).toISOString();
const CHECK_ID = 'ck_0f8fad5b-d9cb-469f-a165-70867728950e';

describe('compact allow records', () => {
  let redis: TestRedis;
  let client: Redis;
  let direct: Redis;
  /** May look at what the gate's user may not (KEYS, OBJECT). */
  let operator: Redis;
  before(async () => {
    redis = await startTestRedis();
    client = await connectRedis(redis.url, 'allow-records-test');
    direct = new Redis(redis.url);
    operator = new Redis(redis.adminUrl);
  });
  after(async () => {
    client.disconnect();
    direct.disconnect();
    operator.disconnect();
    await redis.stop();
  });

  it('keeps ids, time, policy version and reason codes of an allow, and no copy of the listing', async () => {
    const keys = redisKeys('ar1:');
    const here = new ListingVerdicts(client, keys, { recordDelayMs: 60_000 });
    const elsewhere = new ListingVerdicts(direct, keys);
    const decidedAt = at(0);
    here.recordLater(
      {
        listingId: 'A1',
        verdict: 'allow',
        decidedBy: 'gate',
        decidedAt,
        checkId: CHECK_ID,
        policyVersion: 'p|1%',
        reasons: [{ code: 'indicator', ref: 'aaa', field: 'title', start: 0, end: 3 }],
      },
      listing('A1', 'plain tote'),
    );
    await here.flush();
    assert.equal(await direct.exists(keys.listingVerdict('A1')), 0, 'no full record');
    const expected = {
      listingId: 'A1',
      verdict: 'allow',
      decidedBy: 'gate',
      decidedAt,
      checkId: CHECK_ID,
      policyVersion: 'p|1%',
      reasons: [{ code: 'indicator', ref: '' }],
    };
    assert.deepEqual(await elsewhere.get('A1'), expected);
    const stored = await elsewhere.getStored('A1');
    assert.deepEqual(stored, { ...expected, sellerId: 'seller|A1' });
    assert.equal(stored?.listing, undefined);
    // A complaint or report puts the ids in front of the reviewer, and says the content was not kept.
    assert.deepEqual(listingOfRecord(stored ?? expected), {
      listing: { listingId: 'A1', sellerId: 'seller|A1', title: '' },
      context: { contentNotKept: true },
    });
    assert.equal(await elsewhere.get('never-checked'), undefined);
  });

  it("answers the newest of the gate's records, and counts a change of verdict once", async () => {
    const keys = redisKeys('ar2:');
    const here = new ListingVerdicts(client, keys, { recordDelayMs: 60_000 });
    let changes = 0;
    const counted = (): void => {
      changes++;
    };
    here.recordLater({ listingId: 'A2', verdict: 'block', decidedBy: 'gate', decidedAt: at(-3000) }, listing('A2', 'replica tote'), counted);
    await here.flush();
    here.recordLater({ listingId: 'A2', verdict: 'allow', decidedBy: 'gate', decidedAt: at(-2000) }, listing('A2', 'plain tote'), counted);
    await here.flush();
    assert.equal((await here.get('A2'))?.verdict, 'allow', 'the later allow answers');
    assert.equal((await here.getStored('A2'))?.listing, undefined, 'and the blocked copy is not its content');
    here.recordLater({ listingId: 'A2', verdict: 'block', decidedBy: 'gate', decidedAt: at(-1000) }, listing('A2', 'replica tote'), counted);
    await here.flush();
    assert.equal((await here.get('A2'))?.verdict, 'block');
    assert.equal(changes, 2, 'block, allow, block: each block is a change');
    // A record that waited and is older than an allow stored since does not answer: with a
    // full record before the allow, it is not written either (nor counted).
    here.recordLater({ listingId: 'A2', verdict: 'allow', decidedBy: 'gate', decidedAt: at(0) }, listing('A2', 'plain tote'));
    await here.flush();
    here.recordLater({ listingId: 'A2', verdict: 'review', decidedBy: 'gate', decidedAt: at(-500) }, listing('A2', 'tote'), counted);
    await here.flush();
    assert.equal((await here.get('A2'))?.verdict, 'allow');
    assert.equal(changes, 2);
    here.recordLater({ listingId: 'A3', verdict: 'allow', decidedBy: 'gate', decidedAt: at(0) }, listing('A3', 'plain tote'));
    await here.flush();
    here.recordLater({ listingId: 'A3', verdict: 'review', decidedBy: 'gate', decidedAt: at(-500) }, listing('A3', 'tote'));
    await here.flush();
    assert.equal((await here.get('A3'))?.verdict, 'allow');
  });

  it("never stands over a person's verdict", async () => {
    const keys = redisKeys('ar3:');
    const here = new ListingVerdicts(client, keys, { recordDelayMs: 60_000 });
    await here.record({ listingId: 'A4', verdict: 'block', decidedBy: 'reviewer:alice', decidedAt: at(-1000) }, listing('A4', 'replica tote'));
    here.recordLater({ listingId: 'A4', verdict: 'allow', decidedBy: 'gate', decidedAt: at(0) }, listing('A4', 'replica tote'));
    await here.flush();
    const stored = await here.getStored('A4');
    assert.equal(stored?.verdict, 'block');
    assert.equal(stored?.decidedBy, 'reviewer:alice');
    assert.equal(stored?.listing?.title, 'replica tote', "the person's evidence is kept");
    assert.deepEqual(await operator.keys('ar3:*:a:[0-9]*'), [], 'and no allow record is written beside it');
  });

  it("keeps a day's records in a few compact hashes that expire after the window", async () => {
    const keys = redisKeys('ar4:');
    const here = new ListingVerdicts(client, keys, { recordDelayMs: 60_000, allowRecordBuckets: 2, allowRetentionSeconds: 7 * 86_400 });
    for (let i = 0; i < 1000; i++) {
      here.recordLater(
        { listingId: `g-mxb0yeba-${i}`, verdict: 'allow', decidedBy: 'gate', decidedAt: at(0), checkId: CHECK_ID, policyVersion: 'dev-2026.12', reasons: [] },
        { listingId: `g-mxb0yeba-${i}`, sellerId: `gs-mxb0yeba-${i % 200}`, title: 'a title' },
      );
    }
    await here.flush();
    const buckets = await operator.keys('ar4:*:a:[0-9]*');
    assert.ok(buckets.length > 0 && buckets.length <= 128, `${buckets.length} buckets`);
    for (const bucket of buckets) {
      assert.equal(await operator.object('ENCODING', bucket), 'listpack', `${bucket} is one compact listpack`);
      const ttl = await operator.ttl(bucket);
      // A period is a thirtieth of the window: its bucket goes a window after it ends.
      assert.ok(ttl > 7 * 86_400 - 60 && ttl <= 7 * 86_400 + 20_160, `${bucket} expires in ${ttl} s`);
    }
    const periods = await operator.keys('ar4:*:a:periods');
    assert.ok(periods.length > 0);
    for (const index of periods) assert.ok((await operator.ttl(index)) > 0, `${index} expires`);
    assert.equal(await operator.keys('ar4:*:v:*').then((found) => found.length), 0, 'no full records');
    assert.equal((await here.get('g-mxb0yeba-999'))?.verdict, 'allow');
  });

  it('forgets a record once its window has passed, periods of a minute for a window of minutes', async () => {
    const keys = redisKeys('ar5:');
    const here = new ListingVerdicts(client, keys, { recordDelayMs: 60_000, allowRetentionSeconds: 120 });
    here.recordLater({ listingId: 'old', verdict: 'allow', decidedBy: 'gate', decidedAt: at(-200_000) }, listing('old', 'plain tote'));
    here.recordLater({ listingId: 'new', verdict: 'allow', decidedBy: 'gate', decidedAt: at(0) }, listing('new', 'plain tote'));
    await here.flush();
    assert.equal(await here.get('old'), undefined, 'a record older than its window is not answered');
    assert.equal((await here.get('new'))?.verdict, 'allow');
    for (const bucket of await operator.keys('ar5:*:a:[0-9]*'))
      assert.ok((await operator.ttl(bucket)) <= 180, `${bucket} is gone within the window and a period`);
  });

  it("keeps a block's listing without its id and its check id packed, and reads both back, as it reads records of earlier versions", async () => {
    const keys = redisKeys('ar7:');
    const here = new ListingVerdicts(client, keys);
    const decidedAt = at(0);
    here.recordLater(
      {
        listingId: 'B7',
        verdict: 'block',
        decidedBy: 'gate',
        decidedAt,
        checkId: CHECK_ID,
        policyVersion: 'dev-1',
        reasons: [{ code: 'indicator', ref: 'replica', field: 'title', start: 0, end: 7 }],
      },
      listing('B7', 'replica tote'),
    );
    await here.flush();
    const [storedListing, storedCheckId, storedBy] = await operator.hmget(keys.listingVerdict('B7'), 'listing', 'checkId', 'decidedBy');
    assert.ok(
      storedListing?.startsWith('[') && !storedListing.includes('"title"'),
      `the listing is kept without its key names: ${storedListing ?? 'no listing'}`,
    );
    assert.equal(storedBy, null, "the gate's own record leaves decidedBy out");
    assert.ok(storedCheckId && storedCheckId.length < CHECK_ID.length, storedCheckId ?? 'no check id');
    const stored = await new ListingVerdicts(direct, keys).getStored('B7');
    assert.equal(stored?.checkId, CHECK_ID);
    assert.deepEqual(stored?.listing, listing('B7', 'replica tote'));
    assert.equal(stored?.decidedBy, 'gate');
    // A person's decision names them and keeps neither the listing's id nor empty fields; the gate's later record of changed content reads as the gate's again.
    assert.ok(await here.record({ listingId: 'B7', verdict: 'allow', decidedBy: 'reviewer:ann', decidedAt: at(1000), reviewId: 'rv_1', contentHash: 'h1' }));
    const decided = await operator.hgetall(keys.listingVerdict('B7'));
    assert.equal(decided.decidedBy, 'reviewer:ann');
    assert.equal(decided.listingId, undefined);
    assert.ok(!Object.values(decided).includes(''), JSON.stringify(decided));
    assert.equal(decided.listing, storedListing, 'the decision leaves the listing as checked');
    here.recordLater({ listingId: 'B7', verdict: 'block', decidedBy: 'gate', decidedAt: at(2000), contentHash: 'h2' }, listing('B7', 'replica tote v2'));
    await here.flush();
    assert.equal((await here.getStored('B7'))?.decidedBy, 'gate');
    assert.equal(await operator.hget(keys.listingVerdict('B7'), 'decidedBy'), null);
    // What an earlier version wrote under the same key: the check id as it is, the listing with its id.
    await operator.hset(
      keys.listingVerdict('E7'),
      'verdict',
      'block',
      'decidedBy',
      'gate',
      'decidedAt',
      decidedAt,
      'checkId',
      CHECK_ID,
      'listing',
      JSON.stringify(listing('E7', 'replica tote')),
    );
    const earlier = await here.getStored('E7');
    assert.equal(earlier?.checkId, CHECK_ID);
    assert.deepEqual(earlier?.listing, listing('E7', 'replica tote'));
  });

  it('still answers a record an earlier version wrote under its old key', async () => {
    const keys = redisKeys('ar6:');
    const here = new ListingVerdicts(client, keys);
    await operator.hset(
      'ar6:{listing:OLD}:verdict',
      'verdict',
      'block',
      'decidedBy',
      'reviewer:alice',
      'decidedAt',
      at(-1000),
      'listing',
      JSON.stringify(listing('OLD', 'replica tote')),
    );
    const stored = await here.getStored('OLD');
    assert.equal(stored?.verdict, 'block');
    assert.equal(stored?.decidedBy, 'reviewer:alice');
    assert.equal(stored?.listing?.title, 'replica tote');
  });
});
