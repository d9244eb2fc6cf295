// A review item as the queue takes it, and as the local spool keeps it while Redis
// cannot (with the review id its caller was told).
import type { CheckRequest } from '../gate/check-request.js';
import type { Reason } from '../gate/reason.js';
import type { ReviewTier } from './review-tier.js';

export interface ReviewItemInput {
  listingId: string;
  sellerId: string;
  contentHash: string;
  policyVersion: string;
  checkId: string;
  score: number;
  tier: ReviewTier;
  /** Higher is more urgent (shown to reviewers; tiers decide the order). */
  priority: number;
  reasons: readonly Reason[];
  /** The listing exactly as the caller sent it. */
  listing: CheckRequest;
  /** What put it in the queue: `gate`, `qa`, `complaint`, `appeal`, `report`. */
  source?: string;
  /** The id to give the item (a spooled item keeps the one its caller was told). */
  reviewId?: string;
  /** What the reviewer needs beyond the listing: the complaint, appeal or report, the brands involved. */
  context?: ReviewContext;
}

/** Why an item is in the queue beyond the gate's reasons, shown to the reviewer and read back by the outcomes. */
export interface ReviewContext {
  complaint?: { complaintId: string; holder: string; brandId: string; reason: string; takedown: boolean };
  appeal?: { appealId: string; reason: string; blockedBy: string; blockedAt: string; blockReasons: Reason[]; complaintId?: string };
  reports?: { count: number; reasons: string[] };
  /** The listing's last check was allowed, and the gate keeps no copy of an allowed listing: the item has its ids only. */
  contentNotKept?: true;
  /** Live ids of the brands the listing names or whose banked items it matched. */
  brands?: string[];
}

export type SpooledItem = ReviewItemInput & { reviewId: string };
