// The sample of recent traffic a backtest replays (issue 26 point 3), against
// real Redis and real gates: every checked listing, as sent (packed without key
// names), the newest GATE_BACKTEST_SAMPLE of them; none with 0, and then no
// backtest either; above GATE_BACKTEST_SAMPLE_RATE checks a second, a share of
// them from every path.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { redisKeys } from '../src/redis/redis-keys.js';
import { unpackStoredListing } from '../src/review/stored-listing.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { admin, startTestGate } from './helpers/test-gate.js';
import { type CheckAnswer, checkAll, corpusAndPack } from './helpers/policy-corpus.js';

const { listings, pack, name } = corpusAndPack();

/** The entries a gate's checks wrote to its sample (they go 250 ms after the check at most). */
async function sampleOf(operator: Redis, prefix: string): Promise<Array<{ listingId: string; packed: string }>> {
  await new Promise((r) => setTimeout(r, 600));
  const rows = await operator.xrange(redisKeys(prefix).backtestSample, '-', '+');
  return rows.map(([, fields]) => ({ listingId: fields[1] ?? '', packed: fields[3] ?? '' }));
}

describe(`the backtest sample (${name})`, () => {
  let redis: TestRedis;
  let operator: Redis;
  before(async () => {
    redis = await startTestRedis();
    operator = new Redis(redis.adminUrl);
  });
  after(async () => {
    operator?.disconnect();
    await redis?.stop();
  });

  it('keeps the latest checked listings, as sent, at most GATE_BACKTEST_SAMPLE', async () => {
    const gate = await startTestGate({
      redisUrl: redis.url,
      prefix: 'bs-small:',
      pack,
      env: { GATE_BACKTEST_SAMPLE: '300', GATE_BACKTEST_SAMPLE_RATE: '1000000' },
    });
    try {
      // Allows the check threads decide, and checks they hand to the event loop (listed sellers, reviews).
      const checked = listings.slice(0, 500);
      await checkAll(checked, () => gate);
      const kept = await sampleOf(operator, 'bs-small:');
      assert.equal(kept.length, 300);
      const byId = new Map(checked.map((listing) => [listing.listingId, listing]));
      for (const entry of kept)
        assert.deepEqual(unpackStoredListing(entry.listingId, entry.packed), byId.get(entry.listingId), `listing ${entry.listingId} is kept as sent`);
      // The newest: the first checks are the ones gone (8 run at a time, so the order is near the checks').
      const ids = new Set(kept.map((entry) => entry.listingId));
      assert.ok(
        checked.slice(0, 150).every((listing) => !ids.has(listing.listingId)),
        'the oldest listings left the sample',
      );
    } finally {
      await gate.stop();
    }
  });

  it('above GATE_BACKTEST_SAMPLE_RATE checks a second, draws about that many a second, from the check threads and the event loop alike', async () => {
    const rate = 20;
    const gate = await startTestGate({ redisUrl: redis.url, prefix: 'bs-rate:', pack, env: { GATE_BACKTEST_SAMPLE_RATE: String(rate) } });
    try {
      // The first second's checks are all kept (the share follows the rate a second later): then the rounds that count.
      const warmUntil = performance.now() + 1500;
      for (let round = 0; performance.now() < warmUntil; round++)
        await checkAll(
          listings.slice(0, 100).map((listing) => ({ ...listing, listingId: `warm-${round}-${listing.listingId}` })),
          () => gate,
        );
      const startedAt = performance.now();
      const checked: Array<Record<string, unknown>> = [];
      const answers: CheckAnswer[] = [];
      for (let round = 0; performance.now() - startedAt < 3000; round++) {
        const batch = listings.slice(0, 200).map((listing) => ({ ...listing, listingId: `r${round}-${listing.listingId}` }));
        answers.push(...(await checkAll(batch, () => gate)));
        checked.push(...batch);
      }
      const seconds = (performance.now() - startedAt) / 1000;
      const kept = (await sampleOf(operator, 'bs-rate:')).filter((entry) => !entry.listingId.startsWith('warm-'));
      const checksPerSecond = checked.length / seconds;
      assert.ok(checksPerSecond > 4 * rate, `the gate checked ${checksPerSecond.toFixed(0)} a second, too few to test a share`);
      assert.ok(kept.length <= 2 * rate * seconds + rate, `${kept.length} of ${checked.length} kept in ${seconds.toFixed(1)} s, above ${rate} a second`);
      assert.ok(kept.length >= 1, 'none kept');
      // Reviews are finished on the event loop, allows on the check threads: both are drawn.
      const verdicts = new Map(answers.map((answer) => [answer.listingId, answer.verdict]));
      const drawn = new Set(kept.map((entry) => verdicts.get(entry.listingId)));
      assert.ok(drawn.has('allow') && drawn.has('review'), `verdicts of the kept listings: ${[...drawn].join(', ')}`);
    } finally {
      await gate.stop();
    }
  });

  it('keeps none with GATE_BACKTEST_SAMPLE=0, and refuses a backtest', async () => {
    const gate = await startTestGate({ redisUrl: redis.url, prefix: 'bs-none:', pack, env: { GATE_BACKTEST_SAMPLE: '0' } });
    try {
      await checkAll(listings.slice(0, 50), () => gate);
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(await operator.exists(redisKeys('bs-none:').backtestSample), 0);
      const refused = await fetch(`${gate.url}/v1/admin/pack/backtest`, {
        method: 'POST',
        headers: { ...admin(), 'content-type': 'application/json' },
        body: JSON.stringify(pack),
      });
      assert.equal(refused.status, 409);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'GATE_ERR_CONFLICT');
    } finally {
      await gate.stop();
    }
  });
});
