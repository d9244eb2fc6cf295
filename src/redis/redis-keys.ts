// Every Redis key and channel the gate uses, named in one place. Keys that a
// multi-key operation (a Lua script, a transaction) touches together share a hash
// tag (`{...}`), so that a Redis Cluster puts them in one slot.
import type { FingerprintKind } from '../fingerprint/fingerprint-kind.js';
import type { ListKind } from '../pack/policy-pack.js';
import type { ReviewTier } from '../review/review-tier.js';

export interface RedisKeys {
  readonly prefix: string;
  /** Set of blocklisted values of one kind. */
  list(kind: ListKind): string;
  /** Channel announcing list changes, so instances drop cached answers. */
  readonly listChanges: string;
  /** A review stream, one per tier; never trimmed by length (that would delete pending items). */
  reviewStream(tier: ReviewTier): string;
  /** listingId + content hash -> reviewId, so the same content never queues twice. */
  reviewDedupe(listingId: string, contentHash: string): string;
  /** listingId + content hash -> a reviewer's decision, so decided content is not reviewed again. */
  reviewDecided(listingId: string, contentHash: string): string;
  /** Prefix of the per-item hashes (the reviewId follows). */
  readonly reviewItemPrefix: string;
  reviewItem(reviewId: string): string;
  /** Pending review items sharing a text band bucket or an image hash (cluster review). */
  reviewCluster(key: string): string;
  /** Decisions and undos, in order; the effects worker reads it through a consumer group. */
  readonly reviewDecisions: string;
  /** Items delivered too many times without a decision. */
  readonly reviewDeadLetters: string;
  /** A listing's current verdict (contract section 5). */
  listingVerdict(listingId: string): string;
  /** A seller's recent review outcomes, for the reviewer's page. */
  sellerHistory(sellerId: string): string;
  readonly auditLog: string;
  readonly auditHead: string;
  /** Outbound webhook events waiting to be delivered. */
  readonly webhookOutbox: string;
  /** Banked fingerprints of one kind: hash of ref -> phash or text. */
  fingerprints(kind: FingerprintKind): string;
  /** Channel announcing fingerprint bank changes. */
  readonly fingerprintChanges: string;
  /** The pack an admin made live, shared by every instance. */
  readonly livePack: string;
  readonly packChanges: string;
}

export function redisKeys(prefix = 'gate:'): RedisKeys {
  return {
    prefix,
    list: (kind) => `${prefix}{lists}:${kind}`,
    listChanges: `${prefix}lists:changes`,
    reviewStream: (tier) => `${prefix}{review}:stream:${tier}`,
    reviewDedupe: (listingId, contentHash) => `${prefix}{review}:dedupe:${listingId}:${contentHash}`,
    reviewDecided: (listingId, contentHash) => `${prefix}{review}:decided:${listingId}:${contentHash}`,
    reviewItemPrefix: `${prefix}{review}:item:`,
    reviewItem: (reviewId) => `${prefix}{review}:item:${reviewId}`,
    reviewCluster: (key) => `${prefix}{review}:cluster:${key}`,
    reviewDecisions: `${prefix}{review}:decisions`,
    reviewDeadLetters: `${prefix}{review}:dead`,
    listingVerdict: (listingId) => `${prefix}{listing:${listingId}}:verdict`,
    sellerHistory: (sellerId) => `${prefix}{seller:${sellerId}}:history`,
    auditLog: `${prefix}{audit}:log`,
    auditHead: `${prefix}{audit}:head`,
    webhookOutbox: `${prefix}{webhook}:outbox`,
    fingerprints: (kind) => `${prefix}{fp}:${kind}`,
    fingerprintChanges: `${prefix}fp:changes`,
    livePack: `${prefix}{pack}:live`,
    packChanges: `${prefix}pack:changes`,
  };
}
