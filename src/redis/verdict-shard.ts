// Where a listing's verdict records live: one of VERDICT_SHARDS hash tags, so that
// its full record and its compact allow records share a slot (one script sees both)
// while the listings spread over every shard of a Redis Cluster.

export const VERDICT_SHARDS = 64;

export interface VerdictShard {
  /** The hash tag's number, 0 to VERDICT_SHARDS - 1. */
  shard: number;
  /** The rest of the listing's hash, which picks its allow bucket within a day. */
  bucketHash: number;
}

/** FNV-1a over the id's UTF-16 code units. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function verdictShardOf(listingId: string): VerdictShard {
  const hash = fnv1a(listingId);
  return { shard: hash % VERDICT_SHARDS, bucketHash: Math.floor(hash / VERDICT_SHARDS) };
}
