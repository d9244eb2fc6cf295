// Multi-index hashing over 64-bit image hashes (Norouzi et al., "Fast Search in
// Hamming Space with Multi-Index Hashing"): the hash is cut into chunks, each with
// a table from chunk value to entries; a lookup probes, in each chunk's table,
// every value within that chunk's radius of the query's chunk, and checks the
// entries found instead of scanning the bank. No match is missed (pigeonhole): a
// hash that is more than r_i bits away in every chunk i is at least
// Σ (r_i + 1) = 9 > 8 bits away. Chunks of 19, 15, 15 and 15 bits at radii 2, 1,
// 1, 1 make 239 probes and check about 1,800 entries per million banked; the 5
// chunks of 12-13 bits at radius 1 used before made 69 probes and checked about
// 10,000 (and 4 chunks of 16 bits at radius 2, 548 probes for 8,400).
// A bucket holds its entries' full hashes in order, then (apart) their ids: a
// check streams through 8 bytes per entry and reads an id only for a match.
// The index is one flat array, shared with every matching worker through one
// SharedArrayBuffer (shared-arrays.ts); its header describes the layout to the
// native probe (native-rules/src/hamming-lookup.cc).
import { hammingLookup } from '../native/rules-engine.js';
import { hammingDistance } from './phash.js';

/** Contract section 3: an image matches a banked one within this Hamming distance. */
export const IMAGE_MATCH_DISTANCE = 8;

interface Chunk {
  bits: number;
  /** Of the chunk's lowest bit in the 64-bit hash. */
  shift: number;
  radius: number;
}

const CHUNKS: readonly Chunk[] = [
  { bits: 19, shift: 45, radius: 2 },
  { bits: 15, shift: 30, radius: 1 },
  { bits: 15, shift: 15, radius: 1 },
  { bits: 15, shift: 0, radius: 1 },
];
if (CHUNKS.reduce((sum, chunk) => sum + chunk.radius + 1, 0) <= IMAGE_MATCH_DISTANCE)
  throw new Error('the image chunks miss matches within IMAGE_MATCH_DISTANCE');

const HEADER = 2;
const CHUNK_FIELDS = 6;

export interface ImageIndexData {
  count: number;
  hi: Uint32Array;
  lo: Uint32Array;
  /**
   * [count, chunks, then per chunk: bits, shift, radius, tableBits, offsetsAt,
   * entriesAt], then per chunk its 2^tableBits + 1 bucket offsets (in entries)
   * and its entries grouped by bucket: count (lo, hi) hash pairs, then count ids.
   */
  table: Uint32Array;
}

/** The index as a flat list of arrays (for shareArrays) and back. */
export function imageIndexArrays(index: ImageIndexData): Uint32Array[] {
  return [index.hi, index.lo, index.table];
}

export function imageIndexFromArrays(arrays: readonly Uint32Array[]): ImageIndexData {
  const empty = new Uint32Array(0);
  const hi = arrays[0] ?? empty;
  return { count: hi.length, hi, lo: arrays[1] ?? empty, table: arrays[2] ?? empty };
}

export const IMAGE_INDEX_ARRAYS = 3;

/** Bits `shift` to `shift + bits - 1` of the 64-bit value hi * 2^32 + lo (bits <= 31). */
function chunkOf(hi: number, lo: number, shift: number, bits: number): number {
  const value = shift >= 32 ? hi >>> (shift - 32) : shift === 0 ? lo : ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
  return (value & ((1 << bits) - 1)) >>> 0;
}

/** About one bucket per entry, up to the chunk's own bits: a chunk value is folded into the buckets, so small banks stay small. */
function tableBitsFor(count: number, chunkBits: number): number {
  return Math.min(chunkBits, Math.max(4, Math.floor(Math.log2(Math.max(count, 1)))));
}

export function buildImageIndex(hi: Uint32Array, lo: Uint32Array): ImageIndexData {
  const count = hi.length;
  const chunks = CHUNKS.map((chunk) => ({ ...chunk, tableBits: tableBitsFor(count, chunk.bits) }));
  let length = HEADER + CHUNK_FIELDS * chunks.length;
  const at = chunks.map((chunk) => {
    const offsetsAt = length;
    const entriesAt = offsetsAt + (1 << chunk.tableBits) + 1;
    length = entriesAt + 3 * count;
    return { offsetsAt, entriesAt };
  });
  const table = new Uint32Array(length);
  table[0] = count;
  table[1] = chunks.length;
  chunks.forEach((chunk, c) => {
    const { offsetsAt, entriesAt } = at[c] ?? { offsetsAt: 0, entriesAt: 0 };
    table.set([chunk.bits, chunk.shift, chunk.radius, chunk.tableBits, offsetsAt, entriesAt], HEADER + CHUNK_FIELDS * c);
    const size = 1 << chunk.tableBits;
    const offsets = table.subarray(offsetsAt, offsetsAt + size + 1);
    const bucketOf = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const bucket = chunkOf(hi[i] ?? 0, lo[i] ?? 0, chunk.shift, chunk.tableBits);
      bucketOf[i] = bucket;
      offsets[bucket + 1]!++;
    }
    for (let v = 0; v < size; v++) offsets[v + 1]! += offsets[v] ?? 0;
    const fill = offsets.slice(0, size);
    const hashes = table.subarray(entriesAt, entriesAt + 2 * count);
    const ids = table.subarray(entriesAt + 2 * count, entriesAt + 3 * count);
    for (let i = 0; i < count; i++) {
      const k = fill[bucketOf[i] ?? 0]!++;
      hashes[2 * k] = lo[i] ?? 0;
      hashes[2 * k + 1] = hi[i] ?? 0;
      ids[k] = i;
    }
  });
  return { count, hi: Uint32Array.from(hi), lo: Uint32Array.from(lo), table };
}

/** Every entry within `maxDistance` (at most 8) of the hash, as [entry, distance] pairs by entry. */
export function lookupImage(index: ImageIndexData, hi: number, lo: number, maxDistance = IMAGE_MATCH_DISTANCE): Array<[number, number]> {
  if (index.count === 0) return [];
  if (maxDistance > IMAGE_MATCH_DISTANCE) throw new RangeError(`the index answers distances up to ${IMAGE_MATCH_DISTANCE}`);
  const pairs = hammingLookup(index.table, hi >>> 0, lo >>> 0, maxDistance);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) out.push([pairs[i] ?? 0, pairs[i + 1] ?? 0]);
  return out;
}

/** The same answer by comparing with every entry: the comparator for tests and benchmarks. */
export function scanImages(index: ImageIndexData, hi: number, lo: number, maxDistance = IMAGE_MATCH_DISTANCE): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < index.count; i++) {
    const distance = hammingDistance(hi, lo, index.hi[i] ?? 0, index.lo[i] ?? 0);
    if (distance <= maxDistance) out.push([i, distance]);
  }
  return out;
}
