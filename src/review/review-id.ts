import { randomBytes } from 'node:crypto';

/**
 * A new review item's id: `rv_` and 96 random bits in base64url (19 characters).
 * An id is written about 36 times for a pending item (its hash, its stream entry,
 * its open and dedupe keys, and one member of each of its ~32 cluster sets), so
 * it is kept shorter than a UUID; ids of earlier versions (`rv_<uuid>`) still work.
 */
export function newReviewId(): string {
  return `rv_${randomBytes(12).toString('base64url')}`;
}
