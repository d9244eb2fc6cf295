// The current verdict of each listing, as the publish path asks for it
// (contract section 5): what decided it (the gate or a reviewer) and when.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { Verdict } from '../gate/reason.js';

export interface ListingVerdict {
  listingId: string;
  verdict: Verdict;
  /** `gate` or `reviewer:<name>` (or `admin`). */
  decidedBy: string;
  /** ISO 8601, UTC. */
  decidedAt: string;
  checkId?: string;
  reviewId?: string;
  policyVersion?: string;
}

export class ListingVerdicts {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async record(verdict: ListingVerdict): Promise<void> {
    // Every field is written (empty when absent), so a new record never inherits
    // an older one's reviewId or checkId; one command, on the request path.
    await this.redis.hset(this.keys.listingVerdict(verdict.listingId), {
      listingId: verdict.listingId,
      verdict: verdict.verdict,
      decidedBy: verdict.decidedBy,
      decidedAt: verdict.decidedAt,
      checkId: verdict.checkId ?? '',
      reviewId: verdict.reviewId ?? '',
      policyVersion: verdict.policyVersion ?? '',
    });
  }

  async get(listingId: string): Promise<ListingVerdict | undefined> {
    const fields = await this.redis.hgetall(this.keys.listingVerdict(listingId));
    if (!fields.verdict) return undefined;
    const out: ListingVerdict = {
      listingId,
      verdict: fields.verdict as Verdict,
      decidedBy: fields.decidedBy ?? 'gate',
      decidedAt: fields.decidedAt ?? '',
    };
    if (fields.checkId) out.checkId = fields.checkId;
    if (fields.reviewId) out.reviewId = fields.reviewId;
    if (fields.policyVersion) out.policyVersion = fields.policyVersion;
    return out;
  }
}
