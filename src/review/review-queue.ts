// The review queue: `review` verdicts appended to a Redis Stream that is never
// trimmed by length. The same listing content is queued once; asking again
// returns the same reviewId.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { luaScript } from '../redis/lua-script.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { Reason } from '../gate/reason.js';

export const REVIEW_GROUP = 'reviewers';

export interface ReviewItemInput {
  listingId: string;
  contentHash: string;
  policyVersion: string;
  checkId: string;
  score: number;
  /** Higher is decided first. */
  priority: number;
  reasons: readonly Reason[];
  /** The listing exactly as the caller sent it. */
  listing: unknown;
}

export interface EnqueueResult {
  reviewId: string;
  created: boolean;
}

type EnqueueCommand = (dedupeKey: string, stream: string, reviewId: string, ...fields: string[]) => Promise<[string, number]>;

export class ReviewQueue {
  private readonly enqueueScript: EnqueueCommand;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    if (!('enqueueReview' in redis)) {
      redis.defineCommand('enqueueReview', { numberOfKeys: 2, lua: luaScript('enqueue-review') });
    }
    const command = (redis as unknown as { enqueueReview: EnqueueCommand }).enqueueReview;
    this.enqueueScript = command.bind(redis);
  }

  /** Creates the consumer group reviewers read through (idempotent). */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.keys.reviewStream, REVIEW_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  async enqueue(item: ReviewItemInput): Promise<EnqueueResult> {
    const [reviewId, created] = await this.enqueueScript(
      this.keys.reviewDedupe(item.listingId, item.contentHash),
      this.keys.reviewStream,
      `rv_${randomUUID()}`,
      'listingId', item.listingId,
      'contentHash', item.contentHash,
      'policyVersion', item.policyVersion,
      'checkId', item.checkId,
      'score', String(item.score),
      'priority', String(item.priority),
      'reasons', JSON.stringify(item.reasons),
      'listing', JSON.stringify(item.listing),
      'createdAt', new Date().toISOString(),
    );
    return { reviewId, created: created === 1 };
  }

  async length(): Promise<number> {
    return this.redis.xlen(this.keys.reviewStream);
  }
}
