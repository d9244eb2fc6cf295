// Issue 23, point 6, on a real three-master Redis Cluster: a listing's traces are in
// several slots on several masters (its verdict shard, the review family, its seller's
// history, the ring graph), and each family's erasure runs where its slot is; every
// master is read whole afterwards.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { callGate, eventually } from './helpers/gate-calls.js';
import { findTraces, isAuditKey } from './helpers/find-traces.js';
import { ADMIN_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';
import { startTestRedisCluster, type TestRedisCluster } from './helpers/test-redis-cluster.js';
import { verdictShardOf } from '../src/redis/verdict-shard.js';

const run = randomUUID().slice(0, 8);
const id = (kind: string): string => `ec-${run}-${kind}`;
const prefix = `ec${run}:`;

describe('erasure on a three-master Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let gate: TestGate;
  let masters: Redis[];
  before(async () => {
    cluster = await startTestRedisCluster();
    gate = await startTestGate({ redisUrl: cluster.urls[0] ?? '', prefix });
    masters = cluster.urls.map((url) => new Redis(url));
  });
  after(async () => {
    for (const master of masters ?? []) master.disconnect();
    await gate?.stop();
    await cluster?.stop();
  });

  async function check(listing: Record<string, unknown>): Promise<{ verdict: string; reviewId?: string }> {
    const answer = await callGate(gate, 'POST', '/v1/check', ADMIN_TOKEN, listing);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body as { verdict: string; reviewId?: string };
  }

  async function decide(reviewId: string, decision: 'block' | 'allow'): Promise<void> {
    await eventually(`review item ${reviewId}`, async () => {
      const claimed = (await callGate(gate, 'GET', '/v1/review/next?count=50', REVIEWER_TOKEN)).body.items as Array<{ reviewId: string }>;
      const found = claimed.find((item) => item.reviewId === reviewId);
      for (const other of claimed) if (other !== found) await callGate(gate, 'POST', `/v1/review/${other.reviewId}/release`, REVIEWER_TOKEN, {});
      return found;
    });
    assert.equal((await callGate(gate, 'POST', `/v1/review/${reviewId}/decision`, REVIEWER_TOKEN, { decision })).status, 200);
  }

  /** Traces outside the audit log, by master. */
  async function traces(needles: readonly string[]): Promise<string[][]> {
    return Promise.all(masters.map(async (master) => (await findTraces([master], needles, isAuditKey)).traces.map((t) => `${t.needle} in ${t.key}`)));
  }

  /** The port of the master holding `key`'s slot. */
  async function masterOf(key: string): Promise<number> {
    const slot = Number(await masters[0]?.call('CLUSTER', 'KEYSLOT', key));
    const ranges = (await masters[0]?.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no master holds slot ${slot}`);
    return range[2][1];
  }

  /** The first of candidate(0), candidate(1), ... whose key (keyOf) is on another master than `other`. */
  async function onAnotherMasterThan(other: string, candidate: (n: number) => string, keyOf: (value: string) => string): Promise<string> {
    const avoided = await masterOf(other);
    for (let n = 0; n < 100; n++) if ((await masterOf(keyOf(candidate(n)))) !== avoided) return candidate(n);
    throw new Error(`every candidate is on the master of ${other}`);
  }

  it('erases a reviewed listing, then a seller with its listings, from every master', async () => {
    const seller = id('seller0');
    const phone = id('phone00');
    const [reviewed, blocked, allowed] = [id('reviewd'), id('blocked'), id('allowed')];
    // A listing whose verdict shard is on another master than the review family, so that its traces are on two.
    const single = await onAnotherMasterThan(
      `${prefix}{review}:x`,
      (n) => id(`singled${n}`),
      (listingId) => `${prefix}{verdicts:${verdictShardOf(listingId).shard}}:x`,
    );
    const queued = await check({ listingId: reviewed, sellerId: seller, title: 'super copy handbag', seller: { phoneHash: phone } });
    await decide(queued.reviewId ?? '', 'block');
    assert.equal((await check({ listingId: blocked, sellerId: seller, title: 'LV 高仿 手提包' })).verdict, 'block');
    assert.equal((await check({ listingId: allowed, sellerId: seller, title: 'plain cotton tote' })).verdict, 'allow');
    const alone = await check({ listingId: single, sellerId: id('seller1'), title: 'super copy wallet' });
    await decide(alone.reviewId ?? '', 'allow');

    const byMaster = await traces([single, alone.reviewId ?? '']);
    assert.ok(byMaster.filter((found) => found.length > 0).length >= 2, `a listing's traces are on more than one master: ${JSON.stringify(byMaster)}`);
    const listingErased = await callGate(gate, 'DELETE', `/v1/admin/listings/${single}`, ADMIN_TOKEN);
    assert.equal(listingErased.status, 200, JSON.stringify(listingErased.body));
    assert.ok(listingErased.body.erased.reviewItems === 1 && listingErased.body.erased.decisionEntries >= 1, JSON.stringify(listingErased.body));
    assert.deepEqual((await traces([single, alone.reviewId ?? ''])).flat(), []);
    assert.equal((await callGate(gate, 'GET', `/v1/listings/${single}/verdict`, ADMIN_TOKEN)).status, 404);

    const needles = [seller, phone, reviewed, blocked, allowed, queued.reviewId ?? ''];
    assert.ok((await traces(needles)).flat().length > 5);
    const sellerErased = await callGate(gate, 'DELETE', `/v1/admin/sellers/${seller}/data`, ADMIN_TOKEN);
    assert.equal(sellerErased.status, 200, JSON.stringify(sellerErased.body));
    assert.equal(sellerErased.body.erased.listings, 3, JSON.stringify(sellerErased.body));
    assert.deepEqual((await traces(needles)).flat(), [], 'nothing of the seller on any master');
    for (const listingId of [reviewed, blocked, allowed])
      assert.equal((await callGate(gate, 'GET', `/v1/listings/${listingId}/verdict`, ADMIN_TOKEN)).status, 404);
  });
});
