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

const SAMPLE_PER_KEY = 8;
const MAX_CANDIDATES = 128;
export const MAX_MEMBERS = 64;

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

/**
 * An item's cluster keys as its hash keeps them: a zero byte, the number of text
 * bands, each band's bucket in 4 bytes (big-endian; the band is its place), then
 * the other keys (image hashes) separated by spaces. 32 bands take 130 bytes where
 * their decimal keys took about 350. Items of earlier versions keep the keys as
 * text: separated by spaces, a bare number being the bucket of the band of its
 * place, or a JSON array.
 */
export function packClusterKeys(keys: readonly string[]): Buffer {
  let bands = 0;
  while (bands < keys.length && bands < 255 && keys[bands]!.startsWith(`t${bands}:`)) bands++;
  const others = keys.slice(bands).join(' ');
  const packed = Buffer.alloc(2 + bands * 4 + Buffer.byteLength(others));
  packed[1] = bands;
  for (let band = 0; band < bands; band++) packed.writeUInt32BE(Number(keys[band]!.slice(`t${band}:`.length)), 2 + band * 4);
  packed.write(others, 2 + bands * 4);
  return packed;
}

export function unpackClusterKeys(packed: Buffer | null | undefined): string[] {
  if (!packed || packed.length === 0) return [];
  if (packed[0] === 0) {
    const bands = packed[1] ?? 0;
    const keys: string[] = [];
    for (let band = 0; band < bands; band++) keys.push(`t${band}:${packed.readUInt32BE(2 + band * 4)}`);
    const others = packed.toString('utf8', 2 + bands * 4);
    return others ? [...keys, ...others.split(' ')] : keys;
  }
  const text = packed.toString('utf8');
  if (text.startsWith('[')) return JSON.parse(text) as string[];
  return text.split(' ').map((key, place) => (/^\d+$/.test(key) ? `t${place}:${key}` : key));
}

/** What indexes a new review item in its clusters: written by the enqueue script with the item itself. */
export interface ClusterIndex {
  keys: string[];
  text: string;
  /** The item's image hashes, lower case. */
  phashes: string[];
}

export function clusterIndexOf(listing: Pick<CheckRequest, 'title' | 'description' | 'images'>): ClusterIndex {
  return {
    keys: clusterKeys(listing),
    text: textOf(listing),
    phashes: (listing.images ?? []).flatMap((i) => (i.phash ? [i.phash.toLowerCase()] : [])),
  };
}

export class ReviewClusters {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Other pending items that are near-duplicates of `reviewId`: at most
   * MAX_MEMBERS at a time (a huge cluster is shown, and decided, in parts), found
   * among a sample of each key's members so that a claim stays cheap however large
   * a cluster grows.
   */
  async members(reviewId: string): Promise<string[]> {
    const [packedKeys, textBytes, phashesBytes] = await this.redis.hmgetBuffer(this.keys.reviewItem(reviewId), 'clusterKeys', 'text', 'phashes');
    const keys = unpackClusterKeys(packedKeys);
    const text = textBytes?.toString('utf8');
    const phashesJson = phashesBytes?.toString('utf8');
    if (keys.length === 0) return [];
    const sampling = this.redis.pipeline();
    for (const key of keys) sampling.zrandmember(this.keys.reviewCluster(key), SAMPLE_PER_KEY);
    const sampled = new Set<string>();
    for (const [, ids] of (await sampling.exec()) ?? []) for (const id of (ids as string[] | null) ?? []) if (id !== reviewId) sampled.add(id);
    const candidates = [...sampled].slice(0, MAX_CANDIDATES);
    if (candidates.length === 0) return [];
    const reading = this.redis.pipeline();
    for (const id of candidates) reading.hmget(this.keys.reviewItem(id), 'status', 'text', 'phashes');
    const rows = (await reading.exec()) ?? [];
    const grams = textGrams(text ?? '');
    const phashes = new Set(JSON.parse(phashesJson ?? '[]') as string[]);
    const out: string[] = [];
    const stale: string[] = [];
    candidates.forEach((id, i) => {
      const [status, otherText, otherPhashes] = (rows[i]?.[1] as Array<string | null> | undefined) ?? [];
      if (status !== 'pending') {
        stale.push(id);
        return;
      }
      if (out.length >= MAX_MEMBERS) return;
      const sameImage = (JSON.parse(otherPhashes ?? '[]') as string[]).some((p) => phashes.has(p));
      if (sameImage || gramSimilarity(grams, textGrams(otherText ?? '')) >= TEXT_MATCH_SIMILARITY) out.push(id);
    });
    if (stale.length > 0) {
      const cleaning = this.redis.pipeline();
      for (const key of keys) cleaning.zrem(this.keys.reviewCluster(key), ...stale);
      await cleaning.exec();
    }
    return out;
  }
}
