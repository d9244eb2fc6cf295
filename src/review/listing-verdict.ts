// A listing's verdict as the gate records it: the gate's own, a reviewer's or an admin's.
import type { Reason, Verdict } from '../gate/reason.js';

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
  /** The content the verdict is about (contentHash of the check request), when known. */
  contentHash?: string;
  /** Up by one with each decision about the listing and each undo: a receiver keeps the highest. */
  version?: number;
  /** Live ids of the brands the listing named or whose banked items it matched (kept for appeals' figures). */
  brands?: string[];
}
