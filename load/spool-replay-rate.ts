// npm run load:spool-replay: how fast spooled review items go back into a real
// Redis (its own, AOF with appendfsync always, as the gate runs it), and how long
// the replay holds the event loop: one at a time, 32 lanes, and 32 lanes with at
// most 4 items started per turn of the event loop, as the gate replays them.
// SPOOL_ITEMS=<n> (default 3,000) items per run; each setting runs twice, interleaved.
import { mkdtempSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { EmbeddedRedis } from '../src/redis/embedded-redis.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ReviewQueue } from '../src/review/review-queue.js';
import { REVIEW_REPLAY_ITEMS_PER_TURN, REVIEW_REPLAY_LANES, ReviewSpool, type SpooledItem } from '../src/review/review-spool.js';

const ITEMS = Number(process.env.SPOOL_ITEMS ?? 3000);

function spooledItem(run: number, i: number): SpooledItem {
  const listing = { listingId: `L${i}`, sellerId: `s-${i}`, title: `super copy tote ${i}` };
  return {
    listingId: listing.listingId,
    sellerId: listing.sellerId,
    contentHash: `h${run}-${i}`,
    policyVersion: 'v1',
    checkId: `ck_${run}_${i}`,
    score: 50,
    tier: 'normal',
    priority: 50,
    reasons: [{ code: 'rule', ref: 'super copy' }],
    listing,
    source: 'gate',
    context: {},
    reviewId: `rv_${run}_${i}`,
  };
}

const redis = new EmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'spool-replay-redis-')) });
await redis.start();
const client = new Redis(redis.url);
try {
  const settings = [
    { lanes: 1, perTurn: Infinity },
    { lanes: REVIEW_REPLAY_LANES, perTurn: Infinity },
    { lanes: REVIEW_REPLAY_LANES, perTurn: REVIEW_REPLAY_ITEMS_PER_TURN },
  ];
  for (const [run, { lanes, perTurn }] of [...settings, ...settings].entries()) {
    const queue = new ReviewQueue(client, redisKeys(`replay-rate-${run}:`));
    await queue.ensureGroups();
    const spool = new ReviewSpool(mkdtempSync(join(tmpdir(), 'spool-replay-')));
    for (let i = 0; i < ITEMS; i++) await spool.append(spooledItem(run, i));
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const started = performance.now();
    const replayed = await spool.replay((item) => queue.replaySpooled(item), lanes, perTurn);
    const seconds = (performance.now() - started) / 1000;
    loopDelay.disable();
    await spool.close();
    if (replayed !== ITEMS) throw new Error(`replayed ${replayed} of ${ITEMS}`);
    const setting = `${lanes === 1 ? '1 lane' : `${lanes} lanes`}${Number.isFinite(perTurn) ? `, ${perTurn} per turn` : ''}`;
    // The histogram's 1 ms resolution is in every sample: what is over it is the replay's.
    const held = (nanos: number): string => Math.max(0, nanos / 1e6 - 1).toFixed(1);
    console.log(
      `${setting.padEnd(24)}: ${replayed} items in ${seconds.toFixed(2)} s, ${Math.round(replayed / seconds)} items/s; event loop held p99 ${held(loopDelay.percentile(99))} ms, max ${held(loopDelay.max)} ms`,
    );
  }
} finally {
  client.disconnect();
  await redis.stop();
}
