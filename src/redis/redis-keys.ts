// Every Redis key and channel the gate uses, named in one place. Keys that a
// multi-key operation (a Lua script, a transaction) touches together share a hash
// tag (`{...}`), so that a Redis Cluster puts them in one slot.
import type { FingerprintKind } from '../fingerprint/fingerprint-kind.js';
import type { ListKind } from '../pack/policy-pack.js';

export interface RedisKeys {
  readonly prefix: string;
  /** Set of blocklisted values of one kind. */
  list(kind: ListKind): string;
  /** Channel announcing list changes, so instances drop cached answers. */
  readonly listChanges: string;
  /** The review stream; never trimmed by length (that would delete pending items). */
  readonly reviewStream: string;
  /** listingId + content hash -> reviewId, so the same content never queues twice. */
  reviewDedupe(listingId: string, contentHash: string): string;
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
    reviewStream: `${prefix}{review}:stream`,
    reviewDedupe: (listingId, contentHash) => `${prefix}{review}:dedupe:${listingId}:${contentHash}`,
    fingerprints: (kind) => `${prefix}{fp}:${kind}`,
    fingerprintChanges: `${prefix}fp:changes`,
    livePack: `${prefix}{pack}:live`,
    packChanges: `${prefix}pack:changes`,
  };
}
