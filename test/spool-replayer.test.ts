// The spool replayer on a real Redis: nothing is replayed while Redis is not
// ready; its `ready` event starts a replay; review items go into the queue before
// the list changes and decisions that may decide them; what fails is taken again
// on the next turn; once stopped, it replays nothing more.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ReviewQueue } from '../src/review/review-queue.js';
import { ReviewSpool, type SpooledItem } from '../src/review/review-spool.js';
import type { SpooledChange } from '../src/review/spooled-change.js';
import { startSpoolReplayer } from '../src/review/spool-replayer.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { eventually } from './helpers/gate-calls.js';
import { reviewItemOf } from './helpers/review-item.js';
import { messageLog } from '../src/observability/gate-logger.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const itemOf = (listingId: string): SpooledItem => ({ ...reviewItemOf(listingId), reviewId: `rv_${randomUUID()}` });

const listChange = (value: string): SpooledChange => ({
  id: `sl_${randomUUID()}`,
  at: new Date().toISOString(),
  kind: 'list',
  change: 'add',
  list: 'sellers',
  values: [value],
});

/** A queue under a fresh prefix, and the two spools of a fresh data directory. */
async function partsOf(client: Redis): Promise<{ queue: ReviewQueue; spool: ReviewSpool; changes: ReviewSpool<SpooledChange> }> {
  const queue = new ReviewQueue(client, redisKeys(`replay-${randomUUID().slice(0, 8)}:`));
  await queue.ensureGroups();
  const dir = mkdtempSync(join(tmpdir(), 'spool-replayer-test-'));
  return { queue, spool: new ReviewSpool(dir), changes: new ReviewSpool<SpooledChange>(dir, 'change-spool') };
}

describe('spool replayer', () => {
  let redis: TestRedis;
  let client: Redis;
  before(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  it('waits for Redis to be ready, then replays the review items into the queue before the changes', async () => {
    const { queue, spool, changes } = await partsOf(client);
    for (let i = 0; i < 3; i++) await spool.append(itemOf(`R${i}`));
    await changes.append(listChange('s-R0'));
    await changes.append(listChange('s-R1'));
    // Not connected yet: its status is `wait` until connect().
    const watched = new Redis(redis.url, { lazyConnect: true });
    const logs: string[] = [];
    const waitingWhenApplied: number[] = [];
    // Only the `ready` event can start a replay: the timer's first turn is a minute away.
    const replayer = startSpoolReplayer(
      {
        redis: watched,
        spool,
        changes,
        enqueue: (item) => queue.replaySpooled(item),
        apply: async () => void waitingWhenApplied.push((await queue.depth()).normal.waiting),
        log: messageLog((message) => logs.push(message)),
      },
      60_000,
    );
    try {
      await sleep(200);
      assert.equal((await queue.depth()).normal.waiting, 0, 'nothing is replayed before Redis is ready');
      assert.ok(await spool.pending());
      assert.deepEqual(logs, []);
      await watched.connect();
      await eventually('the replay', async () => (logs.length === 2 ? true : undefined), 5000);
      assert.deepEqual(logs, ['applied 2 spooled list changes and decisions', 'replayed 3 spooled review items into the queue']);
      assert.deepEqual(waitingWhenApplied, [3, 3], 'every review item was in the queue before the first change was applied');
      assert.equal((await queue.depth()).normal.waiting, 3);
      assert.equal(await spool.pending(), false);
      assert.equal(await changes.pending(), false);
    } finally {
      replayer.stop();
      watched.disconnect();
      await spool.close();
      await changes.close();
    }
  });

  it('takes what failed again on a later turn, and nothing once stopped', async () => {
    const { queue, spool, changes } = await partsOf(client);
    for (let i = 0; i < 4; i++) await spool.append(itemOf(`F${i}`));
    let failuresLeft = 2;
    const logs: string[] = [];
    const replayer = startSpoolReplayer(
      {
        redis: client,
        spool,
        changes,
        enqueue: async (item) => {
          if (failuresLeft > 0) {
            failuresLeft--;
            throw new Error('Redis went away again');
          }
          return queue.replaySpooled(item);
        },
        apply: async () => undefined,
        log: messageLog((message) => logs.push(message)),
      },
      20,
    );
    try {
      // Queued is not yet done: the replay removes its file and logs once every lane has ended.
      await eventually(
        'every item queued and the replay ended',
        async () => ((await queue.depth()).normal.waiting === 4 && logs.length === 2 ? true : undefined),
        5000,
      );
      assert.equal(await spool.pending(), false);
      assert.deepEqual(logs, ['replayed 2 spooled review items into the queue', 'replayed 2 spooled review items into the queue']);
    } finally {
      replayer.stop();
    }
    assert.equal(client.listenerCount('ready'), 0, 'its `ready` listener is gone');
    await spool.append(itemOf('F4'));
    await sleep(100);
    assert.ok(await spool.pending(), 'a stopped replayer replays nothing');
    assert.equal((await queue.depth()).normal.waiting, 4);
    await spool.close();
    await changes.close();
  });

  it('a pass under way when it is stopped replays nothing spooled after stop()', async () => {
    const { queue, spool, changes } = await partsOf(client);
    // The pass's first question (is anything spooled?) is held until the test lets it go, after stop() and a new item.
    let answer: (() => void) | undefined;
    const asked = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const heldSpool = Object.assign(Object.create(spool) as ReviewSpool, {
      pending: async () => {
        await asked;
        return spool.pending();
      },
    });
    const replayer = startSpoolReplayer(
      {
        redis: client,
        spool: heldSpool,
        changes,
        enqueue: (item) => queue.replaySpooled(item),
        apply: async () => undefined,
        log: messageLog(() => undefined),
      },
      60_000,
    );
    replayer.stop();
    await spool.append(itemOf('S1'));
    answer?.();
    await sleep(100);
    assert.ok(await spool.pending(), 'the item spooled after stop() is still spooled');
    assert.equal((await queue.depth()).normal.waiting, 0);
    await spool.close();
    await changes.close();
  });
});
