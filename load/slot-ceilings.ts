// The families a check writes that live in one hash slot ({rings}: every check's
// seller link; {review}: each review item), measured alone on one Redis: how many
// a second that slot's shard takes when it does nothing else. docs/redis-keys.md
// holds them against 100M listings a day (1,200 a second on average, 12,000 at peak).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ReviewQueue } from '../src/review/review-queue.js';
import { SellerRings } from '../src/rings/seller-rings.js';

export interface SlotCeilings {
  /** Checks' seller links a second, in batches of 10 (5 ms of checks at 2,000/s, as the publish path gathers them). */
  ringLinksPerSecond: number;
  /** The same in batches of 60 (5 ms at 12,000/s). */
  ringLinksPerSecondAtPeak: number;
  /** Review items a second, each its own script call, 16 in flight. */
  reviewItemsPerSecond: number;
}

/** Links a second at `batch` links per call: sellers reused, a phone on one in ten, as in the state mixes. */
async function ringLinks(redis: Redis, count: number, batch: number): Promise<number> {
  const rings = new SellerRings(redis, redisKeys('ceiling:'), { linkDelayMs: 60_000 });
  try {
    const started = performance.now();
    for (let i = 0; i < count; i += batch) {
      for (let j = i; j < Math.min(count, i + batch); j++)
        rings.linkLater(`ceiling-s${j % 2000}`, j % 10 === 0 ? [{ kind: 'phone', value: `ph-${j % 300}` }] : [], `ceiling-l${j}`);
      await rings.flushLinks();
    }
    return count / ((performance.now() - started) / 1000);
  } finally {
    rings.close();
  }
}

async function reviewItems(redis: Redis, count: number): Promise<number> {
  const queue = new ReviewQueue(redis, redisKeys('ceiling:'));
  await queue.ensureGroups();
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const listing = {
        listingId: `ceiling-r${i}`,
        sellerId: `ceiling-s${i % 2000}`,
        title: `replica tote number ${i}`,
        description: 'same factory quality, full set with box and dust bag',
      };
      await queue.enqueue({
        listingId: listing.listingId,
        sellerId: listing.sellerId,
        contentHash: randomUUID(),
        policyVersion: 'ceiling',
        checkId: `ck_${randomUUID()}`,
        score: 40,
        tier: 'normal',
        priority: 40,
        reasons: [{ code: 'indicator', ref: 'replica' }],
        listing,
      });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return count / ((performance.now() - started) / 1000);
}

export async function measureSlotCeilings(redis: Redis): Promise<SlotCeilings> {
  return {
    ringLinksPerSecond: await ringLinks(redis, 40_000, 10),
    ringLinksPerSecondAtPeak: await ringLinks(redis, 60_000, 60),
    reviewItemsPerSecond: await reviewItems(redis, 10_000),
  };
}
