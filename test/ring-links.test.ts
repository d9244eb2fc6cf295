// Ring links written after the answer (SellerRings.linkLater): the links of the
// checks answered within a few milliseconds go to Redis as one script call, link
// the same graph as one call per link would, are read back at once on this
// instance, and are kept and written again when Redis was away.
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { connectRedis } from '../src/redis/connect-redis.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { SellerRings } from '../src/rings/seller-rings.js';
import { commandCalls } from './helpers/command-calls.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

describe('ring links written after the answer', () => {
  let redis: TestRedis;
  let client: Redis;
  let subscriber: Redis;
  let rings: SellerRings;
  const keys = redisKeys('ringlinks:');

  before(async () => {
    redis = await startTestRedis();
    client = await connectRedis(redis.url, 'ring-links-test');
    subscriber = await connectRedis(redis.url, 'ring-links-test-sub');
    rings = new SellerRings(client, keys, { linkDelayMs: 50 });
    await rings.listen(subscriber);
    // The flags table loads (and backfills, by script) at start: wait, so that only the links' calls are counted.
    const until = Date.now() + 10_000;
    while (!rings.flags.tableState().complete && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  });

  after(async () => {
    rings.close();
    client.disconnect();
    subscriber.disconnect();
    await redis.stop();
  });

  it('sends the links of many checks as one script call, and links through them as one call per link would', async () => {
    const scriptCalls = async (): Promise<number> => (await commandCalls(client, 'evalsha')) + (await commandCalls(client, 'eval'));
    const before = await scriptCalls();
    // A chain within one batch: one and two share a phone, two and three a device.
    rings.linkLater('chain-1', [{ kind: 'phone', value: 'p-chain' }], 'L-c1', 'Putian');
    rings.linkLater(
      'chain-2',
      [
        { kind: 'phone', value: 'p-chain' },
        { kind: 'device', value: 'd-chain' },
      ],
      'L-c2',
      '',
    );
    rings.linkLater('chain-3', [{ kind: 'device', value: 'd-chain' }], 'L-c3', 'Guangzhou');
    for (let i = 0; i < 40; i++) rings.linkLater(`solo-${i}`, [{ kind: 'phone', value: `p-solo-${i}` }], `L-s${i}`, '');
    await rings.flushLinks();
    const calls = (await scriptCalls()) - before;
    // One EVALSHA, plus one EVAL when the server did not have the script yet.
    assert.ok(calls >= 1 && calls <= 2, `43 links took ${calls} script calls`);

    const root = await rings.rootOf('chain-1');
    assert.ok(root);
    assert.equal(await rings.rootOf('chain-3'), root, 'a chain linked within one batch is one ring');
    assert.deepEqual(await rings.membersOf(root), ['chain-1', 'chain-2', 'chain-3']);
    assert.notEqual(await rings.rootOf('solo-1'), await rings.rootOf('solo-2'));
    const facts = await rings.sellerFacts('chain-1');
    assert.deepEqual(facts.listings, ['L-c1']);
    assert.deepEqual(facts.regions, ['Putian']);
    assert.deepEqual(facts.attributes, ['phone:p-chain']);
  });

  it('reads its own links at once, before the delay is up', async () => {
    rings.linkLater('prompt-1', [{ kind: 'device', value: 'd-prompt' }], 'L-p1', '');
    rings.linkLater('prompt-2', [{ kind: 'device', value: 'd-prompt' }], 'L-p2', '');
    const root = await rings.rootOf('prompt-2');
    assert.ok(root, 'the seller is known without waiting for the delay');
    assert.deepEqual(await rings.membersOf(root), ['prompt-1', 'prompt-2']);
  });

  it("flags a new member of a ring with a confirmed seller, in this instance's table too", async () => {
    rings.linkLater('confirmed-1', [{ kind: 'phone', value: 'p-confirmed' }], 'L-k1', '');
    await rings.confirm(['confirmed-1'], true);
    assert.equal(rings.mightBeInConfirmedRing('newcomer', [{ kind: 'payment', value: 'pay-new' }]), false);
    rings.linkLater(
      'newcomer',
      [
        { kind: 'phone', value: 'p-confirmed' },
        { kind: 'payment', value: 'pay-new' },
      ],
      'L-k2',
      '',
    );
    await rings.flushLinks();
    assert.equal(rings.mightBeInConfirmedRing('someone-else', [{ kind: 'payment', value: 'pay-new' }]), true, 'the payment account joined a confirmed ring');
  });

  it('keeps the links of a batch Redis did not take and writes them once it is back', async () => {
    redis.redis.pause();
    try {
      rings.linkLater('outage-1', [{ kind: 'address', value: 'a-outage' }], 'L-o1', '');
      rings.linkLater('outage-2', [{ kind: 'address', value: 'a-outage' }], 'L-o2', '');
      // The command times out while Redis is frozen (commandTimeout 2 s): the batch is kept.
      await rings.flushLinks();
    } finally {
      redis.redis.resume();
    }
    assert.equal(rings.droppedLinks, 0);
    const until = Date.now() + 10_000;
    let root: string | undefined;
    while (Date.now() < until && !(root = await rings.rootOf('outage-2'))) await new Promise((r) => setTimeout(r, 50));
    assert.ok(root, 'the kept links were written once Redis answered');
    assert.deepEqual(await rings.membersOf(root), ['outage-1', 'outage-2']);
  });

  it('links again what it linked recently once its subscriber is back from a disconnection, when an erasure may have been missed', async () => {
    const scriptCalls = async (): Promise<number> => (await commandCalls(client, 'evalsha')) + (await commandCalls(client, 'eval'));
    const linkCalls = async (): Promise<number> => {
      const before = await scriptCalls();
      rings.linkLater('ready-seller', [{ kind: 'phone', value: 'p-ready' }], 'L-ready', '');
      await rings.flushLinks();
      return (await scriptCalls()) - before;
    };
    assert.ok((await linkCalls()) >= 1);
    assert.equal(await linkCalls(), 0, 'the same link, recent, is not written again');
    const back = once(subscriber, 'ready');
    subscriber.disconnect(true);
    await back;
    assert.ok((await linkCalls()) >= 1, 'written again after the reconnection');
  });

  it("keeps a seller's recorded listings for the retention window only", async () => {
    const windowed = new SellerRings(client, redisKeys('ringwindow:'), { linkDelayMs: 5, listingsWindowMs: 300 });
    try {
      windowed.linkLater('window-seller', [], 'W-1');
      await windowed.flushLinks();
      await new Promise((r) => setTimeout(r, 400));
      windowed.linkLater('window-seller', [], 'W-2');
      await windowed.flushLinks();
      assert.deepEqual((await windowed.sellerFacts('window-seller')).listings, ['W-2'], 'the listing older than the window is gone');
      await windowed.linkAndStatus('window-seller', [], 'W-3');
      assert.deepEqual((await windowed.sellerFacts('window-seller')).listings, ['W-2', 'W-3']);
    } finally {
      windowed.close();
    }
  });
});
