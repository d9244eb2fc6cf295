import type { Reason, Verdict } from './reason.js';

/** The answer of `POST /v1/check` (contract section 1). */
export interface CheckResponse {
  checkId: string;
  listingId: string;
  verdict: Verdict;
  score: number;
  reasons: Reason[];
  policyVersion: string;
  reviewId?: string;
  tookMicros: number;
}
