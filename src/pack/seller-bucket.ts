// Which share of sellers a staged rollout's candidate judges (issue 26 point 4):
// a seller's bucket is a hash of its id, so the same seller is always judged by
// the same pack while the share stays, and raising the share only adds sellers.

/** Buckets a share is counted in: a share is given to 0.01%. */
export const SELLER_BUCKETS = 10_000;

/**
 * FNV-1a (32 bits) of the id's UTF-16 code units, mixed by MurmurHash3's
 * finalizer, into SELLER_BUCKETS buckets. FNV-1a alone spread ids that differ in
 * a trailing number unevenly: 7.85% of seller-0..seller-1999 fell in a 10% share.
 */
export function sellerBucket(sellerId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sellerId.length; i++) hash = Math.imul(hash ^ sellerId.charCodeAt(i), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % SELLER_BUCKETS;
}

/** The buckets below which a seller is judged by the candidate, for a share in percent. */
export function bucketsOf(percent: number): number {
  return Math.round(percent * (SELLER_BUCKETS / 100));
}
