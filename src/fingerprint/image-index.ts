// Multi-index hashing over 64-bit image hashes (Norouzi et al., "Fast Search in
// Hamming Space with Multi-Index Hashing"): the hash is cut into 5 chunks of
// 13, 13, 13, 13 and 12 bits, each with a table from chunk value to entries. Two
// hashes within distance 8 agree within distance 1 on at least one chunk
// (pigeonhole), so a lookup probes every value within distance 1 of each chunk
// (70 probes) and checks the entries found, instead of scanning the bank. (Measured
// here: 4 chunks of 16 bits at radius 2 make 548 scattered probes and take twice
// as long.) Each
// bucket stores its entries' full hashes inline, so checking them reads memory in
// order rather than jumping to each entry.
// The tables are flat arrays (offsets + entry ids), shared with every matching
// worker through one SharedArrayBuffer (shared-arrays.ts).
import { hammingLookup } from '../native/rules-engine.js';
import { hammingDistance } from './phash.js';

/** Contract section 3: an image matches a banked one within this Hamming distance. */
export const IMAGE_MATCH_DISTANCE = 8;
const CHUNK_BITS = [13, 13, 13, 13, 12] as const;
const CHUNK_SHIFT = [51, 38, 25, 12, 0] as const;
const PROBE_RADIUS = 1; // floor(8 / 5)

export interface ImageIndexData {
  count: number;
  /** Buckets per chunk table are 2^tableBits: a chunk value is folded into them, so small banks stay small. */
  tableBits: number;
  hi: Uint32Array;
  lo: Uint32Array;
  /** Per chunk: offsets (buckets + 1) into `ids`, in entries. */
  offsets: Uint32Array[];
  /** Per chunk: (entry, hi, lo) triples, grouped by bucket. */
  ids: Uint32Array[];
}

function shared32(length: number): Uint32Array {
  return new Uint32Array(length);
}

/** The index as a flat list of arrays (for shareArrays) and back. */
export function imageIndexArrays(index: ImageIndexData): Uint32Array[] {
  return [Uint32Array.of(index.count, index.tableBits), index.hi, index.lo, ...index.offsets, ...index.ids];
}

export function imageIndexFromArrays(arrays: readonly Uint32Array[]): ImageIndexData {
  const chunks = CHUNK_BITS.length;
  return {
    count: arrays[0]?.[0] ?? 0,
    tableBits: arrays[0]?.[1] ?? 0,
    hi: arrays[1] ?? new Uint32Array(0),
    lo: arrays[2] ?? new Uint32Array(0),
    offsets: arrays.slice(3, 3 + chunks) as Uint32Array[],
    ids: arrays.slice(3 + chunks, 3 + 2 * chunks) as Uint32Array[],
  };
}

export const IMAGE_INDEX_ARRAYS = 3 + 2 * CHUNK_BITS.length;

function chunkOf(hi: number, lo: number, chunk: number): number {
  const shift = CHUNK_SHIFT[chunk] ?? 0;
  const bits = CHUNK_BITS[chunk] ?? 21;
  // 64-bit value as hi * 2^32 + lo; extract `bits` bits starting at `shift`.
  const value = shift >= 32 ? hi >>> (shift - 32) : shift === 0 ? lo : ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
  return (value & ((1 << bits) - 1)) >>> 0;
}

function tableBitsFor(count: number): number {
  return count === 0 ? 0 : Math.min(13, Math.max(4, Math.ceil(Math.log2(count)) + 1));
}

export function buildImageIndex(hi: Uint32Array, lo: Uint32Array): ImageIndexData {
  const count = hi.length;
  const tableBits = tableBitsFor(count);
  const mask = (1 << tableBits) - 1;
  const sharedHi = shared32(count);
  const sharedLo = shared32(count);
  sharedHi.set(hi);
  sharedLo.set(lo);
  const offsets: Uint32Array[] = [];
  const ids: Uint32Array[] = [];
  for (let chunk = 0; chunk < CHUNK_BITS.length; chunk++) {
    const size = count === 0 ? 0 : 1 << tableBits;
    const start = shared32(count === 0 ? 0 : size + 1);
    for (let i = 0; i < count; i++) start[(chunkOf(sharedHi[i] ?? 0, sharedLo[i] ?? 0, chunk) & mask) + 1]!++;
    for (let v = 0; v < size; v++) start[v + 1]! += start[v] ?? 0;
    const fill = start.slice(0, size);
    const list = shared32(count * 3);
    for (let i = 0; i < count; i++) {
      const at = fill[chunkOf(sharedHi[i] ?? 0, sharedLo[i] ?? 0, chunk) & mask]!++ * 3;
      list[at] = i;
      list[at + 1] = sharedHi[i] ?? 0;
      list[at + 2] = sharedLo[i] ?? 0;
    }
    offsets.push(start);
    ids.push(list);
  }
  return { count, tableBits, hi: sharedHi, lo: sharedLo, offsets, ids };
}

/** Every entry within `maxDistance` (at most 8) of the hash, as [entry, distance] pairs. */
export function lookupImage(index: ImageIndexData, hi: number, lo: number, maxDistance = IMAGE_MATCH_DISTANCE): Array<[number, number]> {
  if (index.count === 0) return [];
  if (maxDistance > IMAGE_MATCH_DISTANCE) throw new RangeError(`the index answers distances up to ${IMAGE_MATCH_DISTANCE}`);
  const pairs = hammingLookup(index.offsets, index.ids, CHUNK_BITS, CHUNK_SHIFT, index.tableBits, hi >>> 0, lo >>> 0, maxDistance, PROBE_RADIUS);
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
