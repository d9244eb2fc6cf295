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
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(verdict)) if (v !== undefined) fields[k] = String(v);
    const key = this.keys.listingVerdict(verdict.listingId);
    // A gate verdict replaces the whole record; it does not inherit an older reviewId.
    await this.redis.multi().del(key).hset(key, fields).exec();
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
