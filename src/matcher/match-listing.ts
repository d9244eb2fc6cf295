// One listing matched on the calling thread (a matching worker or a check
// thread): its text against the pack's database, its images and text against the
// fingerprint indexes.
import { findFingerprintHits } from '../fingerprint/find-fingerprint-hits.js';
import type { FingerprintIndexes } from '../fingerprint/fingerprint-indexes.js';
import type { NativeDatabase } from '../native/rules-engine.js';
import { findText } from './find-text-hits.js';
import type { ListingMatch, ListingToMatch } from './match-task.js';
import type { PatternMeta } from './pattern-plan.js';

/** `budgetMs`: how long reading the text may take (default: a live check's budget, find-text-hits.ts). */
export function matchListing(db: NativeDatabase, meta: PatternMeta, indexes: FingerprintIndexes, listing: ListingToMatch, budgetMs?: number): ListingMatch {
  const text = findText(db, meta, listing.fields, budgetMs);
  const compared = ['title', 'description'].flatMap((name) => text.normalized.get(name) ?? []);
  const found = { text: text.hits, fingerprints: findFingerprintHits(indexes, listing.fingerprint, compared) };
  return text.truncated ? { ...found, textTruncated: true } : found;
}
