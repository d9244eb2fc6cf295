// A review item as the gate would queue it for a listing, for the tests of the
// queue, its dead letters and the spool.
import { randomUUID } from 'node:crypto';
import { contentHash } from '../../src/gate/content-hash.js';
import type { ReviewItemInput } from '../../src/review/review-item-input.js';

export function reviewItemOf(listingId: string, title = `replica bag ${randomUUID()}`): ReviewItemInput {
  const listing = { listingId, sellerId: `s-${listingId}`, title };
  return {
    listingId,
    sellerId: listing.sellerId,
    contentHash: contentHash(listing),
    policyVersion: 'p1',
    checkId: `ck_${randomUUID()}`,
    score: 60,
    tier: 'normal',
    priority: 60,
    reasons: [],
    listing,
  };
}
