import type { BackgroundPriority } from '../config/background-priority.js';
import type { FingerprintInput, FingerprintHits } from '../fingerprint/find-fingerprint-hits.js';
import type { SharedFingerprints } from '../fingerprint/fingerprint-indexes.js';
import type { TextField } from './text-field.js';
import type { PatternMeta } from './pattern-plan.js';
import type { TextHit } from './text-hit.js';

export interface ListingToMatch {
  fields: TextField[];
  fingerprint: FingerprintInput;
}

/** What a matching worker receives: the pack and fingerprint banks (shared memory) and a batch of listings. */
export interface MatchTask {
  packKey: string;
  databaseBytes: Uint8Array;
  meta: PatternMeta;
  fingerprints: SharedFingerprints;
  listings: ListingToMatch[];
}

export interface ListingMatch {
  text: TextHit[];
  fingerprints: FingerprintHits;
  /** The text was not read whole within its budget: hits beyond what was read may be missing. */
  textTruncated?: boolean;
  /** How long matching took on the thread that matched (the Server-Timing split). */
  matchMicros?: number;
}

export type MatchTaskResult = ListingMatch[];

/** What a pool gives each of its workers at start. */
export interface MatchWorkerData {
  /** A background pool's priority; absent: unchanged. */
  background?: BackgroundPriority;
}
