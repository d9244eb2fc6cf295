// The review item of a checked listing, as the event loop and a check thread
// queue it: the normal tier for a review verdict, the QA tier for a sampled allow.
import type { CheckRequest } from '../gate/check-request.js';
import type { CheckResponse } from '../gate/check-response.js';
import { contentHash } from '../gate/content-hash.js';
import { newReviewId } from './review-id.js';
import type { ReviewItemInput, SpooledItem } from './review-item-input.js';

export function reviewItemOf(
  request: CheckRequest,
  response: CheckResponse,
  hash: string,
  brands: readonly string[],
  tier: 'normal' | 'qa',
): ReviewItemInput & { tier: 'normal' | 'qa' } {
  return {
    listingId: request.listingId,
    sellerId: request.sellerId,
    contentHash: hash,
    policyVersion: response.policyVersion,
    checkId: response.checkId,
    score: response.score,
    tier,
    priority: response.score,
    reasons: response.reasons,
    listing: request,
    source: tier === 'qa' ? 'qa' : 'gate',
    context: brands.length > 0 ? { brands: [...brands] } : {},
  };
}

/** A review verdict's item, with the id it is queued or spooled under (`hash`: the listing's content hash, when already known). */
export function reviewVerdictItem(
  request: CheckRequest,
  response: CheckResponse,
  brands: readonly string[],
  reviewId: string = newReviewId(),
  hash: string = contentHash(request),
): SpooledItem {
  return { ...reviewItemOf(request, response, hash, brands, 'normal'), reviewId };
}
