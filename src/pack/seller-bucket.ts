// Which share of sellers a staged rollout's candidate judges (issue 26 point 4):
// a seller's bucket is a hash of its id, so the same seller is always judged by
// the same pack while the share stays, and raising the share only adds sellers.

/** Buckets a share is counted in: a share is given to 0.01%. */
export const SELLER_BUCKETS = 10_000;

/** FNV-1a (32 bits) of the id's UTF-16 code units, into SELLER_BUCKETS buckets. */
export function sellerBucket(sellerId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sellerId.length; i++) hash = Math.imul(hash ^ sellerId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % SELLER_BUCKETS;
}

/** The buckets below which a seller is judged by the candidate, for a share in percent. */
export function bucketsOf(percent: number): number {
  return Math.round(percent * (SELLER_BUCKETS / 100));
}
