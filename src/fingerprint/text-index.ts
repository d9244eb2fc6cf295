// Near-duplicate text search: MinHash signatures of each banked text's 3-gram set,
// banded for locality-sensitive hashing (32 bands of 3 rows), so that a lookup
// only compares with texts that share a band; candidates are then checked exactly
// (Dice share of common grams). Flat arrays, shared with every worker.
// Grams common to many banked texts (a category's everyday words) are left out of
// the signatures: with them, any listing in the same vocabulary shares bands with
// thousands of banked texts, and a lookup turns into a scan. The exact check
// still counts every gram.
// The probe of the bands and the exact check run natively, in one call
// (native-rules/src/text-lookup.cc); lookupTextInJs is their reference.
import { gramSimilarity } from './text-grams.js';
import { nativeMinhash, nativeTextLookup } from '../native/rules-engine.js';

/**
 * Contract section 3: a near-duplicate shares "at least about 70%" of the two
 * texts' 3-grams, read as the Dice share 2|A∩B| / (|A| + |B|) >= 0.7 (Jaccard >= 0.54).
 */
export const TEXT_MATCH_SIMILARITY = 0.7;
export const MINHASH_BANDS = 32;
export const MINHASH_ROWS = 3;
const SIGNATURE = MINHASH_BANDS * MINHASH_ROWS;
const MAX_TABLE_BITS = 22;
/** Texts with fewer distinct 3-grams are too short to fingerprint. */
export const MIN_GRAMS = 8;
/** A gram in more than this share of the banked texts (and in at least STOP_MIN_TEXTS) is common. */
export const STOP_SHARE = 0.005;
const STOP_MIN_TEXTS = 50;
/** Signatures need this many uncommon grams; a text with fewer is signed with all its grams. */
const MIN_SIGNATURE_GRAMS = 8;
const NO_STOP = new Uint32Array(0);

const SEEDS_A = new Uint32Array(SIGNATURE);
const SEEDS_B = new Uint32Array(SIGNATURE);
{
  let s = 0x9e3779b9;
  for (let k = 0; k < SIGNATURE; k++) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    SEEDS_A[k] = s | 1;
    s = (Math.imul(s ^ (s >>> 12), 0x297a2d39) + 0x6d2b79f5) >>> 0;
    SEEDS_B[k] = s;
  }
}

export function minhash(grams: Uint32Array): Uint32Array {
  return nativeMinhash(grams, SEEDS_A, SEEDS_B);
}

/** The same signature computed in TypeScript: the reference the native kernel is tested and benchmarked against. */
export function minhashInJs(grams: Uint32Array): Uint32Array {
  const signature = new Uint32Array(SIGNATURE).fill(0xffffffff);
  for (let g = 0; g < grams.length; g++) {
    const x = grams[g] ?? 0;
    for (let k = 0; k < SIGNATURE; k++) {
      let h = (Math.imul(x, SEEDS_A[k] ?? 1) + (SEEDS_B[k] ?? 0)) >>> 0;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b) >>> 0;
      h = (h ^ (h >>> 13)) >>> 0; // unsigned: a negative value would always be the minimum
      if (h < (signature[k] ?? 0)) signature[k] = h;
    }
  }
  return signature;
}

/** A band's 32-bit key; the table folds it into its own number of buckets. */
function bandBucket(signature: Uint32Array, band: number): number {
  let h = Math.imul(band + 1, 0x9e3779b1);
  for (let r = 0; r < MINHASH_ROWS; r++) h = Math.imul(h ^ (signature[band * MINHASH_ROWS + r] ?? 0), 0x01000193) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

function tableBitsFor(count: number): number {
  return count === 0 ? 0 : Math.min(MAX_TABLE_BITS, Math.max(4, Math.ceil(Math.log2(count * MINHASH_BANDS)) + 1));
}

export interface TextIndexData {
  count: number;
  tableBits: number;
  /** Grams left out of signatures, sorted. */
  stopGrams: Uint32Array;
  /** Gram sets of all texts, concatenated; text i is grams[gramOffsets[i] .. gramOffsets[i+1]). */
  gramOffsets: Uint32Array;
  grams: Uint32Array;
  /** One table for all bands: bucket -> texts. */
  offsets: Uint32Array;
  ids: Uint32Array;
  /**
   * The full 32-bit band key of each entry of `ids`: a bucket holds the entries of
   * every key folded into it, and only an equal key is a band the texts share.
   */
  bandKeys: Uint32Array;
}

function shared32(length: number): Uint32Array {
  return new Uint32Array(length);
}

export const TEXT_INDEX_ARRAYS = 7;

export function textIndexArrays(index: TextIndexData): Uint32Array[] {
  return [Uint32Array.of(index.count, index.tableBits), index.gramOffsets, index.grams, index.offsets, index.ids, index.stopGrams, index.bandKeys];
}

export function textIndexFromArrays(arrays: readonly Uint32Array[]): TextIndexData {
  const empty = new Uint32Array(0);
  return {
    count: arrays[0]?.[0] ?? 0,
    tableBits: arrays[0]?.[1] ?? 0,
    gramOffsets: arrays[1] ?? empty,
    grams: arrays[2] ?? empty,
    offsets: arrays[3] ?? empty,
    ids: arrays[4] ?? empty,
    stopGrams: arrays[5] ?? empty,
    bandKeys: arrays[6] ?? empty,
  };
}

/** Grams that more than STOP_SHARE of `gramSets` contain (none for a small bank), sorted. */
export function commonGrams(gramSets: readonly Uint32Array[]): Uint32Array {
  const limit = Math.max(STOP_MIN_TEXTS, Math.floor(gramSets.length * STOP_SHARE));
  if (gramSets.length <= limit) return NO_STOP;
  const counts = new Map<number, number>();
  for (const grams of gramSets) for (const g of grams) counts.set(g, (counts.get(g) ?? 0) + 1);
  const common: number[] = [];
  for (const [gram, n] of counts) if (n > limit) common.push(gram);
  return Uint32Array.from(common).sort();
}

/** The grams a signature is made of: `grams` (sorted) without the stop grams, or all of them if too few remain. */
function signatureGrams(grams: Uint32Array, stop: Uint32Array): Uint32Array {
  if (stop.length === 0) return grams;
  const kept = new Uint32Array(grams.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < grams.length; i++) {
    const g = grams[i] ?? 0;
    while (j < stop.length && (stop[j] ?? 0) < g) j++;
    if (j < stop.length && stop[j] === g) continue;
    kept[n++] = g;
  }
  return n >= MIN_SIGNATURE_GRAMS ? kept.subarray(0, n) : grams;
}

/** What the index needs of one text, computed once per set of stop grams. */
export interface TextFingerprint {
  grams: Uint32Array;
  /** The bucket of each band, or none for a text too short to fingerprint. */
  buckets: Uint32Array | null;
  /** The stop grams the buckets were computed without. */
  stop: Uint32Array;
}

export function fingerprintGrams(grams: Uint32Array, stop: Uint32Array = NO_STOP): TextFingerprint {
  if (grams.length < MIN_GRAMS) return { grams, buckets: null, stop };
  const signature = minhash(signatureGrams(grams, stop));
  const buckets = new Uint32Array(MINHASH_BANDS);
  for (let band = 0; band < MINHASH_BANDS; band++) buckets[band] = bandBucket(signature, band);
  return { grams, buckets, stop };
}

/** Every fingerprint must have been computed with `stop` (the index's stop grams). */
export function buildTextIndex(fingerprints: readonly TextFingerprint[], stop: Uint32Array = NO_STOP): TextIndexData {
  const count = fingerprints.length;
  const gramOffsets = shared32(count + 1);
  for (let i = 0; i < count; i++) gramOffsets[i + 1] = (gramOffsets[i] ?? 0) + (fingerprints[i]?.grams.length ?? 0);
  const grams = shared32(gramOffsets[count] ?? 0);
  fingerprints.forEach((fp, i) => grams.set(fp.grams, gramOffsets[i] ?? 0));
  const tableBits = tableBitsFor(count);
  const size = count === 0 ? 0 : 1 << tableBits;
  const mask = size - 1;
  const offsets = shared32(count === 0 ? 0 : size + 1);
  for (const fp of fingerprints) if (fp.buckets) for (const bucket of fp.buckets) offsets[(bucket & mask) + 1]!++;
  for (let v = 0; v < size; v++) offsets[v + 1]! += offsets[v] ?? 0;
  const fill = offsets.slice(0, size);
  const ids = shared32(offsets[size] ?? 0);
  const bandKeys = shared32(ids.length);
  fingerprints.forEach((fp, i) => {
    if (!fp.buckets) return;
    for (const key of fp.buckets) {
      const at = fill[key & mask]!++;
      ids[at] = i;
      bandKeys[at] = key;
    }
  });
  const stopGrams = shared32(stop.length);
  stopGrams.set(stop);
  return { count, tableBits, stopGrams, gramOffsets, grams, offsets, ids, bandKeys };
}

/** A lookup's band keys (lookups are synchronous: one array per thread will do). */
const LOOKUP_KEYS = new Uint32Array(MINHASH_BANDS);

/** Banked texts whose similarity to `grams` is at least `threshold`, as [entry, similarity] pairs in the order the bands find them. */
export function lookupText(index: TextIndexData, grams: Uint32Array, threshold = TEXT_MATCH_SIMILARITY): Array<[number, number]> {
  if (index.count === 0 || grams.length < MIN_GRAMS) return [];
  const signature = minhash(signatureGrams(grams, index.stopGrams));
  const keys = LOOKUP_KEYS;
  for (let band = 0; band < MINHASH_BANDS; band++) keys[band] = bandBucket(signature, band);
  const found = nativeTextLookup(index.offsets, index.ids, index.bandKeys, index.gramOffsets, index.grams, index.tableBits, keys, grams, threshold);
  const out: Array<[number, number]> = [];
  for (const id of found) out.push([id, gramSimilarity(grams, index.grams, index.gramOffsets[id] ?? 0, index.gramOffsets[id + 1] ?? 0)]);
  return out;
}

/** The same lookup in TypeScript: the reference the native probe and check are tested against. */
export function lookupTextInJs(index: TextIndexData, grams: Uint32Array, threshold = TEXT_MATCH_SIMILARITY): Array<[number, number]> {
  if (index.count === 0 || grams.length < MIN_GRAMS) return [];
  const signature = minhash(signatureGrams(grams, index.stopGrams));
  const mask = (1 << index.tableBits) - 1;
  const seen = new Set<number>();
  const out: Array<[number, number]> = [];
  for (let band = 0; band < MINHASH_BANDS; band++) {
    const key = bandBucket(signature, band);
    const bucket = key & mask;
    for (let k = index.offsets[bucket] ?? 0, end = index.offsets[bucket + 1] ?? 0; k < end; k++) {
      if (index.bandKeys[k] !== key) continue; // another band key folded into the same bucket
      const id = index.ids[k] ?? 0;
      if (seen.has(id)) continue;
      seen.add(id);
      const similarity = gramSimilarity(grams, index.grams, index.gramOffsets[id] ?? 0, index.gramOffsets[id + 1] ?? 0);
      if (similarity >= threshold) out.push([id, similarity]);
    }
  }
  return out;
}

/** The same answer by comparing with every banked text: the comparator for tests and benchmarks. */
export function scanTexts(index: TextIndexData, grams: Uint32Array, threshold = TEXT_MATCH_SIMILARITY): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  if (grams.length < MIN_GRAMS) return out;
  for (let id = 0; id < index.count; id++) {
    const similarity = gramSimilarity(grams, index.grams, index.gramOffsets[id] ?? 0, index.gramOffsets[id + 1] ?? 0);
    if (similarity >= threshold) out.push([id, similarity]);
  }
  return out;
}
