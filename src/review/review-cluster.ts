// Cluster review: pending items that are near-duplicates of each other (the same
// text with small edits, or the same image) are shown and decided together. At
// enqueue an item is indexed under the LSH band buckets of its text's MinHash and
// under its image hashes; at claim, the items sharing a key are checked exactly
// (Dice share of 3-grams >= 0.7, as for banked texts, or an identical image hash).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';
import { gramSimilarity, textGrams } from '../fingerprint/text-grams.js';
import { TEXT_MATCH_SIMILARITY, fingerprintGrams } from '../fingerprint/text-index.js';
import type { CheckRequest } from '../gate/check-request.js';

function textOf(listing: Pick<CheckRequest, 'title' | 'description'>): string {
  return listing.description ? `${listing.title}\n${listing.description}` : listing.title;
}

export function clusterKeys(listing: Pick<CheckRequest, 'title' | 'description' | 'images'>): string[] {
  const keys: string[] = [];
  const fingerprint = fingerprintGrams(textGrams(textOf(listing)));
  if (fingerprint.buckets) fingerprint.buckets.forEach((bucket, band) => keys.push(`t${band}:${bucket}`));
  for (const image of listing.images ?? []) if (image.phash) keys.push(`i:${image.phash.toLowerCase()}`);
  return keys;
}

export class ReviewClusters {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async index(reviewId: string, listing: CheckRequest): Promise<void> {
    const keys = clusterKeys(listing);
    if (keys.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.sadd(this.keys.reviewCluster(key), reviewId);
    pipeline.hset(this.keys.reviewItem(reviewId), 'clusterKeys', JSON.stringify(keys), 'text', textOf(listing), 'phashes', JSON.stringify((listing.images ?? []).flatMap((i) => (i.phash ? [i.phash.toLowerCase()] : []))));
    await pipeline.exec();
  }

  /** Other pending items that are near-duplicates of `reviewId`. */
  async members(reviewId: string): Promise<string[]> {
    const [keysJson, text, phashesJson] = await this.redis.hmget(this.keys.reviewItem(reviewId), 'clusterKeys', 'text', 'phashes');
    const keys = JSON.parse(keysJson ?? '[]') as string[];
    if (keys.length === 0) return [];
    const candidates = (await this.redis.sunion(...keys.map((k) => this.keys.reviewCluster(k)))).filter((id) => id !== reviewId);
    if (candidates.length === 0) return [];
    const grams = textGrams(text ?? '');
    const phashes = new Set(JSON.parse(phashesJson ?? '[]') as string[]);
    const out: string[] = [];
    const stale: string[] = [];
    for (const id of candidates.slice(0, 500)) {
      const [status, otherText, otherPhashes] = await this.redis.hmget(this.keys.reviewItem(id), 'status', 'text', 'phashes');
      if (status !== 'pending') {
        stale.push(id);
        continue;
      }
      const sameImage = (JSON.parse(otherPhashes ?? '[]') as string[]).some((p) => phashes.has(p));
      if (sameImage || gramSimilarity(grams, textGrams(otherText ?? '')) >= TEXT_MATCH_SIMILARITY) out.push(id);
    }
    if (stale.length > 0) {
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.srem(this.keys.reviewCluster(key), ...stale);
      await pipeline.exec();
    }
    return out;
  }
}
