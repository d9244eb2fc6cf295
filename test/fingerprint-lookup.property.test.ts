// The fast fingerprint lookups against the slow answers: image lookups give exactly
// the (entry, distance) pairs of a linear scan, text lookups exactly what the
// TypeScript reference lookup gives and never a text a scan would not, on random
// banks with near-duplicates at every distance from 0 to 9 (bits or edited words).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildImageIndex, lookupImage, scanImages } from '../src/fingerprint/image-index.js';
import { textGrams } from '../src/fingerprint/text-grams.js';
import { buildTextIndex, commonGrams, fingerprintGrams, lookupText, lookupTextInJs, scanTexts } from '../src/fingerprint/text-index.js';
import { hammingLookup, nativeTextLookup } from '../src/native/rules-engine.js';

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
  const index = buildImageIndex(
    Uint32Array.from(bank, (h) => h[0]),
    Uint32Array.from(bank, (h) => h[1]),
  );
  for (const [hi, lo] of queries) {
    assert.deepEqual(
      lookupImage(index, hi, lo, maxDistance),
      scanImages(index, hi, lo, maxDistance),
      `query ${hi.toString(16)}:${lo.toString(16)} within ${maxDistance}`,
    );
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

/** Made-up words: the texts share words, not whole passages. */
function vocabulary(rand: () => number, size: number): string[] {
  const syllables = 'ka ri to mo na se lu vi pe do ga zu fe ho ja qi xu bo ce wa'.split(' ');
  return Array.from({ length: size }, () =>
    Array.from({ length: 2 + Math.floor(rand() * 3) }, () => syllables[Math.floor(rand() * syllables.length)]).join(''),
  );
}

/** `text` with `edits` words replaced, dropped or added (in turn) at the given positions. */
function edited(text: readonly string[], edits: readonly number[], words: readonly string[]): string[] {
  const out = [...text];
  edits.forEach((at, e) => {
    const i = at % Math.max(out.length, 1);
    const word = words[(at * 7 + e) % words.length] ?? 'x';
    if (e % 3 === 0) out[i] = word;
    else if (e % 3 === 1 && out.length > 1) out.splice(i, 1);
    else out.splice(i, 0, word);
  });
  return out;
}

describe('text lookup = reference lookup, and within a scan', () => {
  const words = vocabulary(random(7), 300);
  const textArb = fc.array(fc.nat({ max: words.length - 1 }), { minLength: 6, maxLength: 24, size: 'max' }).map((picks) => picks.map((p) => words[p] ?? ''));
  /** One edited copy of a picked text with each number of edits 0 to 9. */
  const editsAtEveryCount: fc.Arbitrary<Array<readonly [number, number[]]>> = fc.tuple(
    ...Array.from({ length: 10 }, (_, k) => fc.tuple(fc.nat(), fc.array(fc.nat({ max: 1000 }), { minLength: k, maxLength: k }))),
  );

  it('on random banks with near-duplicates at every edit count 0-9, at the usual threshold and at every similarity found', () => {
    fc.assert(
      fc.property(
        fc.array(textArb, { minLength: 1, maxLength: 80, size: 'max' }),
        fc.array(editsAtEveryCount, { maxLength: 2 }),
        fc.array(editsAtEveryCount, { minLength: 1, maxLength: 2 }),
        fc.boolean(),
        (base, clusters, near, withStop) => {
          // With stop grams, every text has a word in common, so that the bank has grams common enough (in more than 50 texts).
          const texts = withStop ? base.map((w) => ['zuzukawa', ...w]) : base;
          const bankWords = [...texts, ...clusters.flat().map(([pick, edits]) => edited(texts[pick % texts.length] ?? [], edits, words))];
          const gramSets = bankWords.map((w) => textGrams(w.join(' ')));
          const stop = withStop ? commonGrams(gramSets) : new Uint32Array(0);
          const index = buildTextIndex(
            gramSets.map((g) => fingerprintGrams(g, stop)),
            stop,
          );
          for (const [pick, edits] of near.flat()) {
            const grams = textGrams(edited(bankWords[pick % bankWords.length] ?? [], edits, words).join(' '));
            const found = lookupText(index, grams);
            assert.deepEqual(found, lookupTextInJs(index, grams));
            const scanned = new Map(scanTexts(index, grams, 0));
            for (const [id, similarity] of found) assert.equal(scanned.get(id), similarity);
            // A miss by the bands has a chance under 1e-10 at a similarity of 0.9 (Jaccard 0.82) of the signed grams.
            if (stop.length === 0) {
              for (const [id, similarity] of scanned)
                if (similarity >= 0.9)
                  assert.ok(
                    found.some(([f]) => f === id),
                    `text ${id} (${similarity}) missed`,
                  );
            }
            // At each similarity there is, the check agrees with the reference on the boundary.
            for (const similarity of new Set(scanned.values()))
              assert.deepEqual(lookupText(index, grams, similarity), lookupTextInJs(index, grams, similarity));
          }
        },
      ),
      { numRuns: 200, interruptAfterTimeLimit: 30_000 },
    );
  });
});

describe('native fingerprint probes', () => {
  it('refuse arrays that are not an index instead of reading past them', () => {
    const index = buildImageIndex(Uint32Array.of(0x12345678, 0xffff0000, 0), Uint32Array.of(0x9abcdef0, 0x0000ffff, 0));
    assert.deepEqual(lookupImage(index, 0xffff0000, 0x0000ffff), [[1, 0]]);
    assert.throws(() => hammingLookup(index.table.subarray(0, 20), 2, 5, 8), RangeError);
    const badShift = index.table.slice();
    badShift[2 + 1] = 0xfffffff0; // the first chunk's shift
    assert.throws(() => hammingLookup(badShift, 2, 5, 8), RangeError);
    const badOffsets = index.table.slice();
    badOffsets.fill(1000, badOffsets[2 + 4], (badOffsets[2 + 4] ?? 0) + 17); // the first chunk's offsets, past its 3 entries
    assert.throws(() => hammingLookup(badOffsets, 2, 5, 8), RangeError);
    const texts = buildTextIndex(['factory direct leather tote', 'imported hardware, tight stitching'].map((t) => fingerprintGrams(textGrams(t))));
    const query = textGrams('factory direct leather tote');
    const keys = new Uint32Array(32);
    assert.throws(
      () => nativeTextLookup(texts.offsets.subarray(1), texts.ids, texts.bandKeys, texts.gramOffsets, texts.grams, texts.tableBits, keys, query, 0.7),
      RangeError,
    );
    assert.throws(
      () => nativeTextLookup(texts.offsets, texts.ids, texts.bandKeys.subarray(1), texts.gramOffsets, texts.grams, texts.tableBits, keys, query, 0.7),
      RangeError,
    );
    const badIds = texts.ids.slice().fill(99);
    const everyBucket = Uint32Array.from({ length: 32 }, (_, i) => texts.bandKeys[i] ?? 0);
    assert.throws(
      () => nativeTextLookup(texts.offsets, badIds, texts.bandKeys, texts.gramOffsets, texts.grams, texts.tableBits, everyBucket, query, 0.7),
      RangeError,
    );
  });
});
