// What a complaint or a report puts in front of a reviewer about a listing: the
// listing as the gate last kept it, or, when its latest verdict is the gate's
// allow (whose compact record keeps no copy), its ids and a note that says so.
import type { CheckRequest } from '../gate/check-request.js';
import type { StoredListingVerdict } from './listing-verdicts.js';
import type { ReviewContext } from './review-queue.js';

export interface ListingOfRecord {
  listing: CheckRequest;
  context: Pick<ReviewContext, 'contentNotKept'>;
}

export function listingOfRecord(stored: StoredListingVerdict): ListingOfRecord {
  // A checked listing has a title; one without is the ids an earlier item had (a decision keeps them).
  if (stored.listing && stored.listing.title !== '') return { listing: stored.listing, context: {} };
  return {
    listing: { listingId: stored.listingId, sellerId: stored.listing?.sellerId ?? stored.sellerId ?? '', title: '' },
    context: { contentNotKept: true },
  };
}
