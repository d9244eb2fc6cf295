// npm run load:spool-replay: how fast spooled review items go back into a real
// Redis (its own, AOF with appendfsync always, as the gate runs it), one at a time
// against the 32 lanes the gate replays them with. SPOOL_ITEMS=<n> (default 3,000)
// items per run; each setting runs twice, interleaved.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { EmbeddedRedis } from '../src/redis/embedded-redis.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ReviewQueue } from '../src/review/review-queue.js';
import { REVIEW_REPLAY_LANES, ReviewSpool, type SpooledItem } from '../src/review/review-spool.js';

const ITEMS = Number(process.env.SPOOL_ITEMS ?? 3000);

function spooledItem(run: number, i: number): SpooledItem {
  const listing = { listingId: `L${i}`, sellerId: `s-${i}`, title: `super copy tote ${i}` };
  return { listingId: listing.listingId, sellerId: listing.sellerId, contentHash: `h${run}-${i}`, policyVersion: 'v1', checkId: `ck_${run}_${i}`, score: 50, tier: 'normal', priority: 50, reasons: [{ code: 'rule', ref: 'super copy' }], listing, source: 'gate', context: {}, reviewId: `rv_${run}_${i}` };
}

const redis = new EmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'spool-replay-redis-')) });
await redis.start();
const client = new Redis(redis.url);
try {
  const runs = [1, REVIEW_REPLAY_LANES, 1, REVIEW_REPLAY_LANES];
  for (const [run, lanes] of runs.entries()) {
    const queue = new ReviewQueue(client, redisKeys(`replay-rate-${run}:`));
    await queue.ensureGroups();
    const spool = new ReviewSpool(mkdtempSync(join(tmpdir(), 'spool-replay-')));
    for (let i = 0; i < ITEMS; i++) await spool.append(spooledItem(run, i));
    const started = performance.now();
    const replayed = await spool.replay((item) => queue.replaySpooled(item), lanes);
    const seconds = (performance.now() - started) / 1000;
    await spool.close();
    if (replayed !== ITEMS) throw new Error(`replayed ${replayed} of ${ITEMS}`);
    console.log(`${lanes === 1 ? ' 1 lane ' : `${lanes} lanes`}: ${replayed} items in ${seconds.toFixed(2)} s, ${Math.round(replayed / seconds)} items/s`);
  }
} finally {
  client.disconnect();
  await redis.stop();
}
