// A review item on the publish path against a real Redis that stalls (SIGSTOP):
// the few items a stall makes late are spooled, and the replay that takes them
// leaves new items to Redis; a stall long enough to make a backlog of late items
// has new items join the spool behind its replay.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ReviewQueue } from '../src/review/review-queue.js';
import { LATE_ITEMS_FOR_BACKLOG, ReviewSpool, type SpooledItem } from '../src/review/review-spool.js';
import { queueOrSpool, type QueuedOrSpooled } from '../src/review/queue-or-spool.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { reviewItemOf } from './helpers/review-item.js';

const itemOf = (listingId: string): SpooledItem => ({ ...reviewItemOf(listingId), reviewId: `rv_${randomUUID()}` });

describe('a review item when Redis stalls', () => {
  let redis: TestRedis;
  let client: Redis;
  let queue: ReviewQueue;
  let spool: ReviewSpool;
  before(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
    queue = new ReviewQueue(client, redisKeys(`qos-${randomUUID().slice(0, 8)}:`));
    await queue.ensureGroups();
    spool = new ReviewSpool(mkdtempSync(join(tmpdir(), 'queue-or-spool-test-')));
    await spool.replay((item) => queue.replaySpooled(item)); // the start's replay: nothing left by a previous process
  });
  after(async () => {
    redis.redis.resume();
    await spool.close();
    client.disconnect();
    await redis.stop();
  });

  /** Spools `count` items while Redis is stopped, then replays them; returns how the item checked during the replay was kept. */
  async function keptDuringReplayOfLate(count: number): Promise<QueuedOrSpooled> {
    redis.redis.pause();
    for (let i = 0; i < count; i++) {
      const kept = await queueOrSpool(queue, spool, itemOf(`late-${count}-${i}`), 2);
      assert.deepEqual(kept, { spooled: true, why: 'deadline' });
    }
    redis.redis.resume();
    let duringReplay: Promise<QueuedOrSpooled> | undefined;
    const replayed = await spool.replay((item) => {
      duringReplay ??= queueOrSpool(queue, spool, itemOf(`new-${count}`), 5_000);
      return queue.replaySpooled(item);
    });
    assert.ok(replayed >= count, `replayed ${replayed} of ${count}`);
    assert.ok(duringReplay);
    return duringReplay;
  }

  it('goes to Redis while the replay takes the few items a stall made late', async () => {
    const kept = await keptDuringReplayOfLate(3);
    assert.equal(kept.spooled, false, JSON.stringify(kept));
  });

  it('joins the spool while the replay takes a backlog of late items', async () => {
    const kept = await keptDuringReplayOfLate(LATE_ITEMS_FOR_BACKLOG);
    assert.deepEqual(kept, { spooled: true, why: 'the spool is replaying' });
  });
});
