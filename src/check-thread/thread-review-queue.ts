// A check thread's own connection to the review queue, so that a review verdict it
// decided puts its item into Redis from the thread. Through the event loop, such a
// check crossed to it and back and waited behind its bookkeeping (docs/check-threads.md).
// What this cannot do in time (no connection yet, Redis late or refusing, the
// spool taking an outage's backlog) the caller hands to the event loop, which
// queues or spools the item as for any check.
import type { Redis } from 'ioredis';
import type { GateLog } from '../observability/gate-logger.js';
import { connectRedis, useRedisTls } from '../redis/connect-redis.js';
import { redisKeys } from '../redis/redis-keys.js';
import { type EnqueueResult, ReviewQueue } from '../review/review-queue.js';
import type { SpooledItem } from '../review/review-item-input.js';
import { enqueueWithin } from '../review/queue-or-spool.js';
import type { ThreadReviewQueueSetup } from './thread-messages.js';

/** A failed connection is tried again after this long. */
const RECONNECT_MS = 2_000;

export class ThreadReviewQueue {
  private queue: ReviewQueue | undefined;
  private redis: Redis | undefined;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  /** The event loop's spool takes an outage's backlog: new items join it there (ReviewSpool.newItemsJoinReplay). */
  spoolJoins = false;
  /** Resolves once the first connection is up with its script loaded, or has failed (later ones are tried meanwhile). */
  readonly settled: Promise<void>;
  private settle: () => void = () => undefined;
  /** `settled` has resolved. */
  hasSettled = false;

  constructor(
    private readonly setup: ThreadReviewQueueSetup,
    private readonly name: string,
    private readonly log: GateLog,
  ) {
    useRedisTls(setup.tls);
    this.settled = new Promise((resolve) => {
      this.settle = () => {
        this.hasSettled = true;
        resolve();
      };
    });
    this.connect();
  }

  /** Whether an item can go to Redis from here now. */
  get available(): boolean {
    return this.queue !== undefined && !this.spoolJoins;
  }

  /** The queue's answer within `budgetMs`, or undefined: late, refused or not connected. */
  async enqueue(item: SpooledItem, budgetMs: number): Promise<EnqueueResult | undefined> {
    const queue = this.queue;
    if (!queue || budgetMs <= 0) return undefined;
    const attempt = await enqueueWithin(queue, item, budgetMs);
    return attempt.ok ? attempt.value : undefined;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.redis?.disconnect();
  }

  private connect(): void {
    connectRedis(this.setup.redisUrl, this.name).then(
      (redis) => {
        if (this.closed) return redis.disconnect();
        this.redis = redis;
        const queue = new ReviewQueue(redis, redisKeys(this.setup.prefix), { retentionSeconds: this.setup.retentionSeconds });
        // Used once the script is loaded, or once that failed (the first item loads it then).
        const use = (): void => {
          this.queue = queue;
          this.settle();
        };
        queue.loadScripts().then(use, use);
      },
      (error: unknown) => {
        this.settle();
        this.log.warn(`review items go through the event loop until this thread reaches Redis: ${(error as Error).message}`);
        if (!this.closed) this.retry = setTimeout(() => this.connect(), RECONNECT_MS);
      },
    );
  }
}
