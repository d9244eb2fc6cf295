// The current verdict of each listing, as the publish path asks for it
// (contract section 5): what decided it (the gate or a reviewer) and when.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { Reason, Verdict } from '../gate/reason.js';
import type { CheckRequest } from '../gate/check-request.js';

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
  /** What caused the verdict (the gate's reasons, or those of the reviewed item). */
  reasons?: Reason[];
  /** The complaint that took the listing down or that a reviewer decided on. */
  complaintId?: string;
}

/** The verdict with the listing as last checked (kept for complaints and appeals). */
export interface StoredListingVerdict extends ListingVerdict {
  listing?: CheckRequest;
}

export class ListingVerdicts {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Every field is written (empty when absent), so a new record never inherits an
   * older one's reviewId or checkId, except the listing itself, which a decision
   * about the same listing leaves in place; one command, on the request path.
   */
  async record(verdict: ListingVerdict, listing?: CheckRequest): Promise<void> {
    const fields: Record<string, string> = {
      listingId: verdict.listingId,
      verdict: verdict.verdict,
      decidedBy: verdict.decidedBy,
      decidedAt: verdict.decidedAt,
      checkId: verdict.checkId ?? '',
      reviewId: verdict.reviewId ?? '',
      policyVersion: verdict.policyVersion ?? '',
      reasons: verdict.reasons ? JSON.stringify(verdict.reasons) : '',
      complaintId: verdict.complaintId ?? '',
    };
    if (listing) fields.listing = JSON.stringify(listing);
    await this.redis.hset(this.keys.listingVerdict(verdict.listingId), fields);
  }

  /** The stored record with the listing as last checked. */
  async getStored(listingId: string): Promise<StoredListingVerdict | undefined> {
    const fields = await this.redis.hgetall(this.keys.listingVerdict(listingId));
    const verdict = this.fromFields(listingId, fields);
    if (!verdict) return undefined;
    const stored: StoredListingVerdict = verdict;
    if (fields.listing) stored.listing = JSON.parse(fields.listing) as CheckRequest;
    return stored;
  }

  async get(listingId: string): Promise<ListingVerdict | undefined> {
    return this.fromFields(listingId, await this.redis.hgetall(this.keys.listingVerdict(listingId)));
  }

  private fromFields(listingId: string, fields: Record<string, string>): ListingVerdict | undefined {
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
    if (fields.reasons) out.reasons = JSON.parse(fields.reasons) as Reason[];
    if (fields.complaintId) out.complaintId = fields.complaintId;
    return out;
  }
}
