// The fast fingerprint lookups against the slow answers: image lookups give exactly
// the (entry, distance) pairs of a linear scan, on random banks with near-duplicates
// at every distance from 0 to 9 bits.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildImageIndex, lookupImage, scanImages } from '../src/fingerprint/image-index.js';

type Hash = readonly [number, number];
/** A near-duplicate to make: of the `pick`-th hash (modulo), with these bits flipped. */
type Near = readonly [number, readonly number[]];

function flipped([hi, lo]: Hash, bits: readonly number[]): Hash {
  let h = hi;
  let l = lo;
  for (const bit of bits) {
    if (bit < 32) l = (l ^ (1 << bit)) >>> 0;
    else h = (h ^ (1 << (bit - 32))) >>> 0;
  }
  return [h, l];
}

const hashArb = fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }));

/**
 * `d` distinct bits in groups of `group` adjacent bits spread evenly over the 64
 * from `offset`: with groups of 1, a flip or two in every part of the hash; with
 * larger groups, several flips next to one another in some parts and none in
 * others (the hard cases for an index that cuts the hash into parts).
 */
function spreadBits(d: number, offset: number, group: number): number[] {
  const groups = Math.ceil(d / group);
  return Array.from({ length: d }, (_, i) => (offset + Math.floor((Math.floor(i / group) * 64) / groups) + (i % group)) % 64);
}

/** `d` distinct bits: anywhere, or spread in groups. */
function flipsArb(d: number): fc.Arbitrary<number[]> {
  return fc.oneof(
    fc.uniqueArray(fc.nat({ max: 63 }), { minLength: d, maxLength: d }),
    fc.tuple(fc.nat({ max: 63 }), fc.constantFrom(1, 2, 3, Math.max(d, 1))).map(([offset, group]) => spreadBits(d, offset, group)),
  );
}

/** One near-duplicate at each distance 0 to 9. */
const atEveryDistance: fc.Arbitrary<Near[]> = fc.tuple(...Array.from({ length: 10 }, (_, d) => fc.tuple(fc.nat(), flipsArb(d))));

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
}

function checkImages(bank: readonly Hash[], queries: readonly Hash[], maxDistance = 8): void {
  const index = buildImageIndex(Uint32Array.from(bank, (h) => h[0]), Uint32Array.from(bank, (h) => h[1]));
  for (const [hi, lo] of queries) {
    assert.deepEqual(lookupImage(index, hi, lo, maxDistance), scanImages(index, hi, lo, maxDistance), `query ${hi.toString(16)}:${lo.toString(16)} within ${maxDistance}`);
  }
}

describe('image lookup = linear scan', () => {
  it('on random banks with near-duplicates at every distance 0-9, for every distance limit', () => {
    fc.assert(
      fc.property(
        fc.array(hashArb, { minLength: 1, maxLength: 3000, size: 'max' }),
        fc.array(atEveryDistance, { maxLength: 3 }),
        fc.array(atEveryDistance, { minLength: 1, maxLength: 3 }),
        fc.array(hashArb, { maxLength: 5 }),
        fc.integer({ min: 0, max: 8 }),
        (base, clusters, near, others, maxDistance) => {
          // Banked near-duplicates of banked hashes, then queries near any banked hash.
          const bank = [...base, ...clusters.flat().map(([pick, bits]) => flipped(base[pick % base.length] ?? [0, 0], bits))];
          const queries = [...near.flat().map(([pick, bits]) => flipped(bank[pick % bank.length] ?? [0, 0], bits)), ...others];
          checkImages(bank, queries, 8);
          if (maxDistance < 8) checkImages(bank, queries, maxDistance);
        },
      ),
      // Shrinking a failure over banks of thousands of hashes could take many minutes: it stops after 30 s with what it has.
      { numRuns: 150, interruptAfterTimeLimit: 30_000 },
    );
  });

  it('on a bank large enough for full-size tables (524,888 hashes)', () => {
    const rand = random(20261206);
    const word = (): number => Math.floor(rand() * 2 ** 32) >>> 0;
    const bank: Hash[] = Array.from({ length: 2 ** 19 + 600 }, () => [word(), word()]);
    const bitsAt = (d: number): number[] => {
      const group = [1, 2, 3, d][Math.floor(rand() * 5)];
      if (group !== undefined) return spreadBits(d, Math.floor(rand() * 64), Math.max(group, 1));
      const bits = new Set<number>();
      while (bits.size < d) bits.add(Math.floor(rand() * 64));
      return [...bits];
    };
    // 40 clusters of near-duplicates at every distance, then 120 queries at every distance.
    for (let c = 0; c < 40; c++) {
      const of = bank[Math.floor(rand() * bank.length)] ?? [0, 0];
      for (let d = 0; d <= 9; d++) bank.push(flipped(of, bitsAt(d)));
    }
    const queries: Hash[] = [];
    for (let q = 0; q < 12; q++) {
      const of = bank[bank.length - 1 - Math.floor(rand() * 400)] ?? [0, 0];
      for (let d = 0; d <= 9; d++) queries.push(flipped(of, bitsAt(d)));
    }
    checkImages(bank, queries);
  });
});
